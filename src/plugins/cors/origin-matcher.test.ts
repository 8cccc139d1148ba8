import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileOrigins } from './origin-matcher.js'

void test('exact origins compare whole, ignoring case, port included', () => {
  const m = compileOrigins(['https://Shop.example.com', 'http://127.0.0.1:8080'])
  assert.equal(m.allows('https://shop.example.com'), true)
  assert.equal(m.allows('http://127.0.0.1:8080'), true)
  assert.equal(m.allows('http://127.0.0.1:8081'), false)
  assert.equal(m.allows('http://shop.example.com'), false)
  assert.equal(m.allows('https://shop.example.com.evil.test'), false)
  assert.equal(m.any, false)
})

void test('a * in a host pattern stands for one or more labels, anchored', () => {
  const m = compileOrigins(['https://*.example.com'])
  assert.equal(m.allows('https://a.example.com'), true)
  assert.equal(m.allows('https://a.b.example.com'), true)
  assert.equal(m.allows('https://example.com'), false)
  assert.equal(m.allows('https://a.example.com.evil.test'), false)
  assert.equal(m.allows('https://evil-example.com'), false)
  assert.equal(m.allows('http://a.example.com'), false)
  assert.equal(m.allows('https://a.example.com:444'), false)
})

void test('a ~regex is anchored at both ends', () => {
  const m = compileOrigins(['~https://shop-[0-9]+\\.example\\.net'])
  assert.equal(m.allows('https://shop-12.example.net'), true)
  assert.equal(m.allows('https://shop-12.example.net.evil.test'), false)
  assert.equal(m.allows('https://xshop-1.example.net'), false)
})

void test('* allows every origin, null only when listed', () => {
  assert.equal(compileOrigins(['*']).allows('https://anything.test'), true)
  assert.equal(compileOrigins(['https://a.test']).allows('null'), false)
  assert.equal(compileOrigins(['null']).allows('null'), true)
})

void test('a regex that does not compile is refused naming the entry', () => {
  assert.throws(() => compileOrigins(['~https://(unclosed']), /origins: '~https:\/\/\(unclosed' is not a valid regular expression/)
})
