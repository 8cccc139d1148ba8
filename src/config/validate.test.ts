import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateConfig, type ValidationResult } from './validate.js'
import { fakePluginSchema, minimalDocument } from './testing/fixtures.js'

const options = { file: 'tollgate.yaml', baseDir: '/etc/tollgate', pluginSchema: fakePluginSchema }

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the config to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

function configOf (result: ValidationResult) {
  if (!result.ok) assert.fail('expected the config to be accepted:\n' + JSON.stringify(result.problems, null, 2))
  return result.config
}

void test('problems carry the file name', () => {
  const result = validateConfig({ extra: true }, options)
  assert.equal(result.ok, false)
  assert.deepEqual(!result.ok && result.problems[0], { file: 'tollgate.yaml', path: '/extra', reason: "unknown property 'extra'" })
})

void test('duplicate ids are reported per entity at the later entry', () => {
  const doc = minimalDocument()
  doc.services.push({ id: 'orders', targets: [{ host: 'b.internal', port: 80 }] })
  doc.routes.push({ id: 'orders-api', service: 'orders', paths: ['/other'] })
  doc.merchants.push({ id: 'm1' })
  doc.plugins.push({ id: 'p', name: 'rate-limit', config: { limit: 1 } }, { id: 'p', name: 'rate-limit', route: 'orders-api', config: { limit: 1 } })
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/services/1/id', "duplicate service id 'orders' (also at /services/0)"],
    ['/routes/1/id', "duplicate route id 'orders-api' (also at /routes/0)"],
    ['/merchants/1/id', "duplicate merchant id 'm1' (also at /merchants/0)"],
    ['/plugins/2/id', "duplicate plugin binding id 'p' (also at /plugins/1)"]
  ])
})

void test('a route naming an unknown service is refused', () => {
  const doc = minimalDocument()
  doc.routes[0].service = 'nope'
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/routes/0/service', "unknown service 'nope'"]])
})

void test('a reference to an entry that is itself invalid gives only that entry\'s problem', () => {
  const doc = minimalDocument()
  doc.services[0].targets = []
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/services/0/targets', 'must have at least 1 item(s)']])
})

void test('plugin bindings must name existing routes, services and merchants', () => {
  const doc = minimalDocument()
  doc.plugins = [{ name: 'key-auth', route: 'r9' }, { name: 'key-auth', service: 's9' }, { name: 'key-auth', merchant: 'm9' }]
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/plugins/0/route', "unknown route 'r9'"],
    ['/plugins/1/service', "unknown service 's9'"],
    ['/plugins/2/merchant', "unknown merchant 'm9'"]
  ])
})

void test('each scope gets its derived id; route+merchant is allowed', () => {
  const doc = minimalDocument()
  doc.plugins = [
    { name: 'key-auth' },
    { name: 'key-auth', service: 'orders' },
    { name: 'key-auth', route: 'orders-api' },
    { name: 'key-auth', merchant: 'm1' },
    { name: 'key-auth', route: 'orders-api', merchant: 'm1' },
    { id: 'mine', name: 'rate-limit', config: { limit: 5 }, priority: 7 }
  ]
  const plugins = configOf(validateConfig(doc, options)).plugins
  assert.deepEqual(plugins.map((p) => [p.id, p.scope]), [
    ['key-auth@global', 'global'],
    ['key-auth@service:orders', 'service'],
    ['key-auth@route:orders-api', 'route'],
    ['key-auth@merchant:m1', 'merchant'],
    ['key-auth@route:orders-api+merchant:m1', 'route+merchant'],
    ['mine', 'global']
  ])
  assert.equal(plugins[5]?.priority, 7)
})

void test('service combined with route or merchant is an invalid scope', () => {
  const doc = minimalDocument()
  doc.plugins = [{ name: 'key-auth', service: 'orders', route: 'orders-api' }, { name: 'key-auth', service: 'orders', merchant: 'm1' }]
  const problems = problemsOf(validateConfig(doc, options))
  assert.deepEqual(problems.map(([path]) => path), ['/plugins/0', '/plugins/1'])
  assert.match(problems[0]?.[1] ?? '', /service cannot be combined with route or merchant/)
})

void test('an unknown plugin name is refused', () => {
  const doc = minimalDocument()
  doc.plugins = [{ name: 'no-such-plugin', config: { x: 1 } }]
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/plugins/0/name', "unknown plugin 'no-such-plugin'"]])
})

void test('plugin config is validated by the plugin schema, all problems under /plugins/N/config', () => {
  const doc = minimalDocument()
  doc.plugins = [{ name: 'rate-limit', config: { window_seconds: 0, policy: 'global', burst: 3 } }]
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/plugins/0/config/limit', 'is required'],
    ['/plugins/0/config/burst', "unknown property 'burst'"],
    ['/plugins/0/config/window_seconds', 'must be >= 1 (got 0)'],
    ['/plugins/0/config/policy', 'must be one of: local, cluster (got "global")']
  ])
})

void test('plugin config gets the plugin defaults', () => {
  const doc = minimalDocument()
  doc.plugins = [{ name: 'rate-limit', route: 'orders-api', config: { limit: 10 } }]
  const [binding] = configOf(validateConfig(doc, options)).plugins
  assert.deepEqual(binding?.config, { limit: 10, window_seconds: 60, policy: 'local' })
})

void test('two bindings of one plugin at the same scope are refused, also when disabled', () => {
  const doc = minimalDocument()
  doc.plugins = [
    { name: 'rate-limit', route: 'orders-api', config: { limit: 1 } },
    { name: 'rate-limit', route: 'orders-api', enabled: false, config: { limit: 2 } },
    { name: 'rate-limit', route: 'orders-api', merchant: 'm1', config: { limit: 3 } }
  ]
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/plugins/1', "plugin 'rate-limit' is already bound at this scope (route) by /plugins/0"]
  ])
})

void test('an API key held by two merchants is refused without echoing the key', () => {
  const doc = minimalDocument()
  doc.merchants.push({ id: 'm2', credentials: { api_keys: [{ key: 'key-two-456' }, { key: 'key-one-123' }] } })
  const problems = problemsOf(validateConfig(doc, options))
  assert.deepEqual(problems, [['/merchants/1/credentials/api_keys/1/key',
    "this API key already belongs to merchant 'm1' (/merchants/0/credentials/api_keys/0/key); API keys must be unique"]])
  assert.ok(!problems[0]?.[1].includes('key-one-123'))
})

void test('secret ids repeat neither within a merchant', () => {
  const doc = minimalDocument()
  doc.merchants[0].credentials.secrets = [{ id: 'app', secret: 'secret-one-1' }, { id: 'app', secret: 'secret-two-2' }]
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/merchants/0/credentials/secrets/1/id', "duplicate secret id 'app' (also at /merchants/0/credentials/secrets/0/id)"]])
})

void test('regex paths must compile; * only as the last segment', () => {
  const doc = minimalDocument()
  doc.routes[0].paths = ['~^/v[0-9]+/(orders', '~^/v[0-9]+/items$', '/a/*/b', '/a?x=1', '/ok/*']
  const problems = problemsOf(validateConfig(doc, options))
  assert.deepEqual(problems.map(([path]) => path), ['/routes/0/paths/0', '/routes/0/paths/2', '/routes/0/paths/3'])
  assert.match(problems[0]?.[1] ?? '', /^the regular expression does not compile: /)
  assert.equal(problems[1]?.[1], '"*" is only allowed as a final "/*"')
})

void test('the same path with identical hosts and methods in two routes is refused', () => {
  const doc = minimalDocument()
  doc.routes = [
    { id: 'a', service: 'orders', hosts: ['API.example.com'], methods: ['GET', 'post'], paths: ['/x'] },
    { id: 'b', service: 'orders', hosts: ['api.example.com'], methods: ['POST', 'GET'], paths: ['/y', '/x'] },
    { id: 'c', service: 'orders', hosts: ['api.example.com'], methods: ['GET'], paths: ['/x'] },
    { id: 'd', service: 'orders', paths: ['/x'] }
  ]
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/routes/1/paths/1', "path '/x' with the same hosts and methods is already routed by route 'a' (/routes/0/paths/0)"]
  ])
})

void test('listeners: duplicate name and host:port refused; port 0 may repeat; http2 needs https', () => {
  const doc = {
    gateway: {
      listeners: [
        { name: 'a', port: 8080 }, { name: 'a', port: 8081 }, { name: 'b', port: 8080 },
        { name: 'c', port: 0 }, { name: 'd', port: 0 }, { name: 'e', port: 8082, http2: true }
      ]
    }
  }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/gateway/listeners/1/name', "duplicate listener name 'a' (also at /gateway/listeners/0)"],
    ['/gateway/listeners/2/port', "duplicate listener address '127.0.0.1:8080' (also at /gateway/listeners/0)"],
    ['/gateway/listeners/5/http2', 'http2 needs protocol https (HTTP/2 over cleartext is not supported)']
  ])
})

void test('an https listener without any certificate is refused', () => {
  const doc = { gateway: { listeners: [{ name: 'tls', port: 8443, protocol: 'https' }] } }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/gateway/listeners/0/protocol', 'an https listener needs at least one entry in /certificates']])
})

void test('restart backoff initial delay may not exceed the maximum', () => {
  const doc = { gateway: { restart_backoff: { initial_ms: 5000, max_ms: 1000 } } }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/gateway/restart_backoff/initial_ms', 'must not exceed max_ms (1000)']])
})

void test('a service may not list the same target twice; an unreadable CA file is reported', () => {
  const doc = minimalDocument()
  doc.services[0].targets.push({ host: '127.0.0.1', port: 9001, weight: 5 })
  doc.services[0].tls = { ca_file: 'missing-ca.pem' }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/services/0/targets/1', "duplicate target '127.0.0.1:9001' (also at /services/0/targets/0)"],
    ['/services/0/tls/ca_file', "cannot read '/etc/tollgate/missing-ca.pem': ENOENT"]
  ])
})

void test('hash_on header needs hash_header, and hash_header needs hash_on header', () => {
  const doc = minimalDocument()
  doc.services.push({ id: 'by-header', targets: [{ host: 'b.internal', port: 80 }], balancer: 'consistent-hash', hash_on: 'header' })
  doc.services.push({ id: 'stray-header', targets: [{ host: 'c.internal', port: 80 }], hash_header: 'x-tenant' })
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/services/1/hash_header', "required when hash_on is 'header'"],
    ['/services/2/hash_header', "only used when hash_on is 'header' (hash_on is 'ip')"]
  ])
})

void test('balancer options are accepted, hash_header lower-cased; unknown balancers refused', () => {
  const doc = minimalDocument()
  Object.assign(doc.services[0], { balancer: 'consistent-hash', hash_on: 'header', hash_header: 'X-Tenant-Id', ewma_decay_ms: 5000, ewma_error_penalty_ms: 2000 })
  const service = configOf(validateConfig(doc, options)).services[0]
  assert.deepEqual([service?.balancer, service?.hash_on, service?.hash_header, service?.ewma_decay_ms, service?.ewma_error_penalty_ms],
    ['consistent-hash', 'header', 'x-tenant-id', 5000, 2000])
  for (const balancer of ['least-connections', 'round-robin', 'p2c-peak-ewma']) {
    const other = minimalDocument()
    other.services[0].balancer = balancer
    assert.equal(configOf(validateConfig(other, options)).services[0]?.balancer, balancer)
  }
  const bad = minimalDocument()
  bad.services[0].balancer = 'least-conn'
  assert.equal(problemsOf(validateConfig(bad, options))[0]?.[0], '/services/0/balancer')
})

void test('passive health, panic, slow start and retries: accepted as given, out-of-range values refused at their path', () => {
  const doc = minimalDocument()
  Object.assign(doc.services[0], {
    passive_health: { consecutive_failures: 3, base_ejection_ms: 10_000, max_ejection_ms: 60_000 },
    panic_threshold_percent: 0,
    slow_start_ms: 0,
    retries: { count: 2, on_statuses: [503] }
  })
  const service = configOf(validateConfig(doc, options)).services[0]
  assert.deepEqual([service?.passive_health.consecutive_failures, service?.passive_health.max_ejection_ms, service?.passive_health.min_requests, service?.panic_threshold_percent, service?.slow_start_ms, service?.retries],
    [3, 60_000, 50, 0, 0, { count: 2, on_statuses: [503], budget_percent: 20, budget_min_per_second: 10 }])
  const bad = minimalDocument()
  Object.assign(bad.services[0], { passive_health: { base_ejection_ms: 60_000, max_ejection_ms: 30_000 }, retries: { count: 11, on_statuses: [404] } })
  assert.deepEqual(problemsOf(validateConfig(bad, options)).map(([path]) => path).sort(), ['/services/0/retries/count', '/services/0/retries/on_statuses/0'])
  const crossed = minimalDocument()
  Object.assign(crossed.services[0], { passive_health: { base_ejection_ms: 60_000, max_ejection_ms: 30_000 } })
  assert.deepEqual(problemsOf(validateConfig(crossed, options)), [['/services/0/passive_health/max_ejection_ms', 'must be at least base_ejection_ms (60000)']])
})

void test('DNS settings: service dns and gateway.dns accepted as given, bad values refused at their path', () => {
  const doc = minimalDocument()
  Object.assign(doc.services[0], { targets: [{ host: 'api.internal', port: 8080 }], dns: { family: 'any', ttl_min_s: 5, ttl_max_s: 60, stale_s: 0 } })
  doc.gateway = { dns: { servers: ['10.0.0.2', '10.0.0.3:5353', '[fd00::2]:53', 'fd00::3'], timeout_ms: 500, tries: 1 } }
  const config = configOf(validateConfig(doc, options))
  assert.deepEqual(config.services[0]?.dns, { family: 'any', ttl_min_s: 5, ttl_max_s: 60, stale_s: 0, default_ttl_s: 30, retry_s: 5 })
  assert.deepEqual(config.gateway.dns, { servers: ['10.0.0.2', '10.0.0.3:5353', '[fd00::2]:53', 'fd00::3'], timeout_ms: 500, tries: 1 })
  const bad = minimalDocument()
  Object.assign(bad.services[0], { dns: { family: 'ipv5', ttl_min_s: 0 } })
  bad.gateway = { dns: { servers: ['dns.example.com'] } }
  assert.deepEqual(problemsOf(validateConfig(bad, options)).map(([path]) => path).sort(), ['/gateway/dns/servers/0', '/services/0/dns/family', '/services/0/dns/ttl_min_s'])
  const crossed = minimalDocument()
  Object.assign(crossed.services[0], { dns: { ttl_min_s: 600, ttl_max_s: 60 } })
  assert.deepEqual(problemsOf(validateConfig(crossed, options)), [['/services/0/dns/ttl_max_s', 'must be at least ttl_min_s (600)']])
})

void test('schema problems and cross-check problems are reported together', () => {
  const doc = minimalDocument()
  doc.routes.push({ id: 'r2', service: 'ghost', paths: ['/r2'] }, { id: 'r3', service: 'orders', paths: [] })
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/routes/2/paths', 'must have at least 1 item(s)'],
    ['/routes/1/service', "unknown service 'ghost'"]
  ])
})

void test('a plugin schema that does not compile is reported at the binding config, not thrown', () => {
  const broken = { type: 'object', properties: { a: { type: 'nope' } } } as unknown as ReturnType<typeof fakePluginSchema>
  const result = validateConfig({ plugins: [{ name: 'broken' }] }, { ...options, pluginSchema: () => broken })
  const problems = problemsOf(result)
  assert.deepEqual(problems.map(([path]) => path), ['/plugins/0/config'])
  assert.match(problems[0]?.[1] ?? '', /^the schema of plugin 'broken' does not compile: /)
})
