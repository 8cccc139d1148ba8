import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PHASE_METHODS } from '../kit/plugin.js'
import { BUNDLED_PLUGINS, findBundledPlugin } from './registry.js'

void test('every bundled plugin is found by its name', () => {
  for (const plugin of BUNDLED_PLUGINS) assert.equal(findBundledPlugin(plugin.name), plugin)
  assert.equal(findBundledPlugin('no-such-plugin'), undefined)
})

void test('names are unique kebab-case folder names', () => {
  const names = BUNDLED_PLUGINS.map((plugin) => plugin.name)
  assert.equal(new Set(names).size, names.length)
  for (const name of names) assert.match(name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
})

void test('the list is in priority order and every plugin implements at least one phase', () => {
  const priorities = BUNDLED_PLUGINS.map((plugin) => plugin.priority)
  assert.deepEqual(priorities, [...priorities].sort((a, b) => b - a))
  for (const plugin of BUNDLED_PLUGINS) {
    assert.ok(PHASE_METHODS.some((method) => typeof plugin[method] === 'function'), plugin.name)
    assert.equal(typeof plugin.schema, 'object', plugin.name)
  }
})
