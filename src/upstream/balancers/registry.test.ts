import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BALANCERS, HASH_ON as CONFIG_HASH_ON, ServiceSchema } from '../../config/schema/service.js'
import { HASH_ON } from './consistent-hash.js'
import { BALANCER_NAMES, DEFAULT_BALANCER } from './registry.js'

// The config schema lists the names itself (config does not build balancers); these keep the two from drifting.
void test('the config accepts exactly the balancers the registry builds, with the same default', () => {
  assert.deepEqual([...BALANCERS].sort(), [...BALANCER_NAMES].sort())
  assert.equal((ServiceSchema.properties.balancer as { default?: string }).default, DEFAULT_BALANCER)
})

void test('the config accepts exactly the hash keys consistent-hash knows', () => {
  assert.deepEqual([...CONFIG_HASH_ON].sort(), [...HASH_ON].sort())
})
