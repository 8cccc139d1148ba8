import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BODY_PATH_PATTERN, parseBodyPath } from './body-path.js'

test('plain keys, indexes and quoted keys become codec paths', () => {
  assert.deepEqual(parseBodyPath('order'), ['order'])
  assert.deepEqual(parseBodyPath('order.items[0].sku'), ['order', 'items', 0, 'sku'])
  assert.deepEqual(parseBodyPath('[2][10]'), [2, 10])
  assert.deepEqual(parseBodyPath('meta["a.b"]["x\\"y"].z'), ['meta', 'a.b', 'x"y', 'z'])
  assert.deepEqual(parseBodyPath('[""]'), [''])
  assert.deepEqual(parseBodyPath('名前.値'), ['名前', '値'])
})

test('text outside the grammar is refused by the pattern and by the parser', () => {
  const pattern = new RegExp(BODY_PATH_PATTERN, 'u')
  for (const bad of ['', '.a', 'a.', 'a..b', 'a[', 'a[-1]', 'a[01]', 'a[x]', 'a]', 'a"b', '["\\x"]', 'a[0]b']) {
    assert.equal(pattern.test(bad), false, bad)
    assert.throws(() => parseBodyPath(bad), /not a body path/, bad)
  }
})
