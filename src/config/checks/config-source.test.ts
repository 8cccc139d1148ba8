import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateConfig, type ValidationResult } from '../validate.js'
import { fakePluginSchema, minimalDocument } from '../testing/fixtures.js'

const options = { file: 'tollgate.yaml', baseDir: '/etc/tollgate', pluginSchema: fakePluginSchema }
const REDIS = { host: '127.0.0.1', port: 6379 }

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the config to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

void test('the file source is the default', () => {
  const result = validateConfig(minimalDocument(), options)
  assert.ok(result.ok)
  assert.equal(result.config.config_source.kind, 'file')
})

void test('a control-plane bootstrap is accepted with every default filled and the snapshot file made absolute', () => {
  const result = validateConfig({
    gateway: { redis: REDIS },
    config_source: { kind: 'control-plane', rpc: { host: 'cp.internal', port: 7400 }, snapshot_file: 'state/last-good.json' }
  }, options)
  if (!result.ok) assert.fail(JSON.stringify(result.problems))
  const source = result.config.config_source
  assert.deepEqual(source.rpc, { host: 'cp.internal', port: 7400, deadline_ms: 500, snapshot_deadline_ms: 3000 })
  assert.deepEqual(source.l1, { max_bytes: 64 * 1024 * 1024, ttl_ms: 60_000, jitter: 0.1, negative_ttl_ms: 5000, negative_max_entries: 10_000, resurrect_ms: 30_000 })
  assert.equal(source.poll_interval_ms, 1000)
  assert.equal(source.snapshot_file, '/etc/tollgate/state/last-good.json')
})

void test('a control-plane source needs rpc and gateway.redis and refuses entities in the bootstrap', () => {
  const doc = minimalDocument() as Record<string, unknown>
  doc.config_source = { kind: 'control-plane' }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/config_source/rpc', 'required with kind control-plane: the address of the config RPC service'],
    ['/gateway/redis', 'required with config_source kind control-plane: the Redis the control plane writes (L2)'],
    ...['/services', '/routes', '/merchants', '/plugins'].map((path): [string, string] => [path, 'not allowed with config_source kind control-plane: entities come from the control plane'])
  ])
})

void test('bad control-plane settings are reported with their paths', () => {
  const result = validateConfig({
    gateway: { redis: REDIS },
    config_source: { kind: 'control-plane', rpc: { host: 'cp.internal', port: 0 }, l1: { jitter: 0.9, ttl: 5 } }
  }, options)
  const paths = problemsOf(result).map(([path]) => path).sort()
  assert.deepEqual(paths, ['/config_source/l1/jitter', '/config_source/l1/ttl', '/config_source/rpc/port'])
})

void test('an unknown source kind and control-plane settings on a file source are refused', () => {
  assert.deepEqual(problemsOf(validateConfig({ config_source: { kind: 'etcd' } }, options)).map(([path]) => path), ['/config_source/kind'])
  const doc = minimalDocument() as Record<string, unknown>
  doc.config_source = { kind: 'file', rpc: { host: 'cp', port: 1 } }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/config_source/rpc', 'only with kind control-plane']])
})
