import assert from 'node:assert/strict'
import { test } from 'node:test'
import { applyQueryRules, compileQueryRules } from './query-rules.js'

const rules = (r: Partial<Parameters<typeof compileQueryRules>[0]>) => compileQueryRules({ remove: [], rename: [], set: [], add: [], ...r })

test('parameters no rule names keep their exact bytes', () => {
  const query = 'a=%2F%7e&b=x+y&flag&c=%E4%B8%AD'
  assert.equal(applyQueryRules(rules({ remove: ['zzz'] }), query), query)
  assert.equal(applyQueryRules(rules({ remove: ['b'] }), query), 'a=%2F%7e&flag&c=%E4%B8%AD')
})

test('names are compared decoded; every occurrence is removed', () => {
  assert.equal(applyQueryRules(rules({ remove: ['a b'] }), 'a+b=1&x=2&a%20b=3'), 'x=2')
})

test('rename keeps the raw value and replaces the target', () => {
  assert.equal(applyQueryRules(rules({ rename: [{ from: 'q', to: 'query' }] }), 'query=old&q=%2Fnew&z=1'), 'query=%2Fnew&z=1')
  assert.equal(applyQueryRules(rules({ rename: [{ from: 'absent', to: 'z' }] }), 'z=1'), 'z=1')
})

test('set replaces in place (one occurrence) or appends, encoding the value', () => {
  assert.equal(applyQueryRules(rules({ set: [{ name: 'v', value: 'a&b=c' }] }), 'x=1&v=1&y=2&v=3'), 'x=1&v=a%26b%3Dc&y=2')
  assert.equal(applyQueryRules(rules({ set: [{ name: 'v', value: '2' }] }), ''), 'v=2')
})

test('add only when absent', () => {
  assert.equal(applyQueryRules(rules({ add: [{ name: 'lang', value: 'zh CN' }] }), 'x=1'), 'x=1&lang=zh%20CN')
  assert.equal(applyQueryRules(rules({ add: [{ name: 'x', value: '9' }] }), 'x=1'), 'x=1')
})
