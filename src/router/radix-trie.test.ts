import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RadixTrie, type TrieNode } from './radix-trie.js'

function chain (node: TrieNode<string> | undefined): string[] {
  const values: string[] = []
  for (let n = node; n !== undefined; n = n.up) values.push(n.value as string)
  return values
}

void test('finds the longest stored prefix and the shorter ones through up', () => {
  const trie = new RadixTrie<string>()
  for (const key of ['/api', '/api/orders', '/apis', '/b', '']) trie.getOrInsert(key, () => key)
  trie.seal()
  assert.deepEqual(chain(trie.longest('/api/orders/1')), ['/api/orders', '/api', ''])
  assert.deepEqual(chain(trie.longest('/apis/x')), ['/apis', '/api', ''])
  assert.deepEqual(chain(trie.longest('/ap')), [''])
  assert.deepEqual(chain(trie.longest('/c')), [''])
  assert.equal(trie.longest('/api/orders/1')?.depth, '/api/orders'.length)
})

void test('returns undefined when no key is a prefix', () => {
  const trie = new RadixTrie<string>()
  trie.getOrInsert('/abc', () => 'x')
  trie.seal()
  assert.equal(trie.longest('/ab'), undefined)
  assert.equal(trie.longest('/abd'), undefined)
  assert.equal(trie.longest(''), undefined)
})

void test('getOrInsert keeps the first value and splits edges correctly', () => {
  const trie = new RadixTrie<string>()
  assert.equal(trie.getOrInsert('/abcd', () => 'long'), 'long')
  assert.equal(trie.getOrInsert('/ab', () => 'short'), 'short')
  assert.equal(trie.getOrInsert('/abcd', () => 'again'), 'long')
  assert.equal(trie.getOrInsert('/abxy', () => 'sibling'), 'sibling')
  trie.seal()
  assert.deepEqual(chain(trie.longest('/abcde')), ['long', 'short'])
  assert.deepEqual(chain(trie.longest('/abxy')), ['sibling', 'short'])
  assert.deepEqual(chain(trie.longest('/abx')), ['short'])
})

void test('reversed tries match suffixes', () => {
  const trie = new RadixTrie<string>(true)
  for (const key of ['.example.com', '.eu.example.com', '.com']) trie.getOrInsert(key, () => key)
  trie.seal()
  assert.deepEqual(chain(trie.longest('shop.eu.example.com')), ['.eu.example.com', '.example.com', '.com'])
  assert.deepEqual(chain(trie.longest('example.com')), ['.com'])
  assert.equal(trie.longest('example.org'), undefined)
})

void test('refuses inserts after seal', () => {
  const trie = new RadixTrie<string>()
  trie.seal()
  assert.throws(() => trie.getOrInsert('/a', () => 'a'), /after seal/)
})
