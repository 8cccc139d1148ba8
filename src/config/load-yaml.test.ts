import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfigFile, formatProblems } from './load-yaml.js'
import type { ValidationResult } from './validate.js'
import { fakePluginSchema } from './testing/fixtures.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-yaml-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let counter = 0

function load (text: string, env: Record<string, string> = {}): ValidationResult {
  const file = join(dir, `c${counter++}.yaml`)
  writeFileSync(file, text)
  return loadConfigFile(file, fakePluginSchema, { env })
}

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the file to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

const GOOD = `
gateway:
  workers: \${WORKERS:-2}
  listeners:
    - { name: public, host: 0.0.0.0, port: '\${PORT}' }
  plugins_dir: ./plugins
services:
  - id: orders
    targets: [{ host: '\${ORDERS_HOST}', port: 9001 }]
routes:
  - { id: orders-api, service: orders, paths: [/orders/*], methods: [get] }
plugins:
  - name: rate-limit
    route: orders-api
    config: { limit: "\${LIMIT}" }
`

void test('a good file loads with env substitution, numbers where the schema wants them, paths from its folder', () => {
  const result = load(GOOD, { PORT: '8088', ORDERS_HOST: 'orders.internal', LIMIT: '50' })
  if (!result.ok) assert.fail(formatProblems(result.problems))
  assert.equal(result.config.gateway.workers, 2)
  assert.deepEqual(result.config.gateway.listeners[0], { name: 'public', host: '0.0.0.0', port: 8088, protocol: 'http', http2: false, ingress: 'fast-h1', half_close: 'abort' })
  assert.equal(result.config.gateway.plugins_dir, join(dir, 'plugins'))
  assert.equal(result.config.services[0]?.targets[0]?.host, 'orders.internal')
  assert.deepEqual(result.config.plugins[0]?.config, { limit: 50, window_seconds: 60, policy: 'local' })
})

void test('unset variables are reported together with the other problems, without follow-ups', () => {
  const problems = problemsOf(load(GOOD + 'extra: 1\n', { LIMIT: '50' }))
  assert.deepEqual(problems, [
    ['/gateway/listeners/0/port', 'environment variable PORT is not set (write ${PORT:-default} to give a default)'],
    ['/services/0/targets/0/host', 'environment variable ORDERS_HOST is not set (write ${ORDERS_HOST:-default} to give a default)'],
    ['/extra', "unknown property 'extra'"]
  ])
})

void test('a YAML syntax error names the line and column', () => {
  assert.deepEqual(problemsOf(load('services:\n  - id: a\n    targets: [1, 2\nroutes: []\n')), [
    ['', 'YAML syntax error at line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]']
  ])
})

void test('an unquoted reference inside a flow collection is a YAML error (quote it)', () => {
  const problems = problemsOf(load('gateway: { workers: ${N} }\n', { N: '1' }))
  assert.equal(problems[0]?.[1], 'YAML syntax error at line 1, column 22: Unexpected flow-map-start at node end')
})

void test('after three YAML errors the rest are summarised', () => {
  const problems = problemsOf(load(GOOD.replace("'${PORT}'", '${PORT}')))
  assert.equal(problems.length, 4)
  assert.match(problems[3]?.[1] ?? '', /^\d+ more YAML errors follow from the first ones$/)
})

void test('duplicate keys are refused with their line', () => {
  assert.deepEqual(problemsOf(load('gateway:\n  workers: 1\n  workers: 2\n')), [['', 'YAML syntax error at line 3, column 3: Map keys must be unique']])
})

void test('a root that is not a mapping, an empty file and a missing file are problems', () => {
  assert.deepEqual(problemsOf(load('- a\n- b\n')), [['', 'the document root must be a mapping (got a list)']])
  assert.deepEqual(problemsOf(load('# nothing\n')), [['', 'the file is empty; expected a mapping with gateway, services, routes, ...']])
  const missing = join(dir, 'missing.yaml')
  const result = loadConfigFile(missing, fakePluginSchema)
  assert.deepEqual(result, { ok: false, problems: [{ file: missing, path: '', reason: 'cannot read the file: ENOENT' }] })
})

void test('formatProblems prints one line per problem: file: /path: reason', () => {
  assert.equal(formatProblems([
    { file: 'a.yaml', path: '/routes/0/paths/0', reason: 'bad' },
    { file: 'a.yaml', path: '', reason: 'YAML syntax error' }
  ]), 'a.yaml: /routes/0/paths/0: bad\na.yaml: /: YAML syntax error')
})

void test('the sample file in examples/ loads', () => {
  const sample = fileURLToPath(new URL('../../../examples/tollgate.schema-sample.yaml', import.meta.url))
  const result = loadConfigFile(sample, fakePluginSchema, { env: {} })
  if (!result.ok) assert.fail(formatProblems(result.problems))
  assert.equal(result.config.gateway.listeners[0]?.port, 8080)
  assert.deepEqual(result.config.plugins.map((p) => p.id), ['key-auth@global', 'rate-limit@route:orders-api', 'rate-limit@route:orders-api+merchant:acme'])
})
