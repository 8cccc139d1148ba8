import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateConfig, type ValidationResult } from '../validate.js'
import type { ConfigProblem } from '../problems.js'
import { fakePluginSchema, minimalDocument } from '../testing/fixtures.js'

const options = { file: 'tollgate.yaml', baseDir: '/etc/tollgate', pluginSchema: fakePluginSchema }

function problemsOf (result: ValidationResult): Array<[string, string]> {
  assert.equal(result.ok, false, 'expected the config to be refused')
  return (result as { problems: ConfigProblem[] }).problems.map((p) => [p.path, p.reason])
}

function configOf (result: ValidationResult) {
  if (!result.ok) assert.fail('expected the config to be accepted:\n' + JSON.stringify(result.problems, null, 2))
  return result.config
}

void test('an empty document is valid and gets every global default', () => {
  const config = configOf(validateConfig({}, options))
  assert.deepEqual(config.gateway, {
    workers: 0,
    listeners: [{ name: 'http', host: '127.0.0.1', port: 8080, protocol: 'http', http2: false, ingress: 'fast-h1', half_close: 'abort' }],
    limits: { max_header_bytes: 16384, max_header_count: 100, max_url_bytes: 8192, max_body_bytes: 10485760 },
    timeouts: { header_read_ms: 10000, keep_alive_idle_ms: 5000, request_ms: 60000, drain_ms: 30000 },
    request_id: { header: 'x-request-id', trust_incoming: true, trust_incoming_from_any: false },
    trusted_proxies: [],
    forwarded: { x_forwarded_for: true, x_forwarded_proto: true, x_forwarded_host: true, x_forwarded_port: true, via: true },
    log: { level: 'info' },
    dns: { servers: [], timeout_ms: 2000, tries: 2 },
    metrics: { enabled: true, push_interval_ms: 1000, merchant_label_cap: 0 },
    tracing: { enabled: true, trust_incoming_from_any: false },
    restart_backoff: { initial_ms: 100, max_ms: 10000 }
  })
  assert.deepEqual([config.services, config.routes, config.merchants, config.plugins, config.certificates], [[], [], [], [], []])
})

void test('entity defaults are applied', () => {
  const config = configOf(validateConfig(minimalDocument(), options))
  assert.deepEqual(config.services[0], {
    id: 'orders',
    protocol: 'http',
    targets: [{ host: '127.0.0.1', port: 9001, weight: 100 }],
    balancer: 'p2c-peak-ewma',
    health_checks: {},
    hash_on: 'ip',
    ewma_decay_ms: 10000,
    tgrpc: { connections_per_target: 2, heartbeat_ms: 5000, max_response_bytes: 16777216, tls: false },
    grpc: { import_paths: [], forward_headers: [], ignored_query_parameters: [], max_response_bytes: 16777216, tls: false },
    timeouts: { connect_ms: 2000, send_ms: 10000, read_ms: 30000 },
    passive_health: {
      enabled: true,
      consecutive_failures: 5,
      failure_rate_percent: 50,
      window_ms: 10000,
      min_requests: 50,
      base_ejection_ms: 30000,
      max_ejection_ms: 300000,
      ejection_jitter_ms: 5000,
      max_ejected_percent: 10
    },
    panic_threshold_percent: 50,
    slow_start_ms: 30000,
    retries: { count: 1, on_statuses: [], budget_percent: 20, budget_min_per_second: 10 },
    path: '',
    tls: { verify: true },
    dns: { family: 'ipv4', ttl_min_s: 1, ttl_max_s: 3600, stale_s: 300, default_ttl_s: 30, retry_s: 5 },
    keepalive: { max_idle_per_target: 64, idle_timeout_ms: 60000 }
  })
  assert.deepEqual(config.routes[0], { id: 'orders-api', service: 'orders', paths: ['/orders/*'], strip_path: false, preserve_host: false, retryable: false, priority: 0 })
  assert.deepEqual(config.merchants[0], {
    id: 'm1', name: 'm1', status: 'active', groups: [], credentials: { api_keys: [{ key: 'key-one-123' }], secrets: [], jwt_keys: [] }
  })
  assert.deepEqual(config.plugins[0], { id: 'key-auth@global', scope: 'global', name: 'key-auth', enabled: true, config: { header: 'apikey', hide_credentials: false } })
})

void test('values are normalised: hosts lower-case, methods upper-case, base path trimmed, plugins_dir absolute', () => {
  const doc = minimalDocument()
  doc.gateway = { plugins_dir: 'plugins', request_id: { header: 'X-Trace-Id' } }
  doc.routes[0].hosts = ['API.Example.com', '*.Shop.Example.com']
  doc.routes[0].methods = ['get', 'Post']
  doc.services[0].path = '/v1/'
  const config = configOf(validateConfig(doc, options))
  assert.deepEqual(config.routes[0]?.hosts, ['api.example.com', '*.shop.example.com'])
  assert.deepEqual(config.routes[0]?.methods, ['GET', 'POST'])
  assert.equal(config.services[0]?.path, '/v1')
  assert.equal(config.gateway.plugins_dir, '/etc/tollgate/plugins')
  assert.equal(config.gateway.request_id.header, 'x-trace-id')
})

void test('the input document is not modified', () => {
  const doc = minimalDocument()
  const before = JSON.stringify(doc)
  configOf(validateConfig(doc, options))
  assert.equal(JSON.stringify(doc), before)
})

void test('every schema problem is listed at once with its exact path', () => {
  const doc = minimalDocument()
  doc.gateway = { workers: -1, listeners: [{ name: 'http', port: 70000, protocl: 'http' }], log: { level: 'verbose' } }
  doc.services[0].targets = []
  doc.services[0].protocol = 'ftp'
  doc.routes[0].paths = ['orders']
  doc.routes[0].methods = ['FETCH']
  doc.merchants[0].credentials.api_keys[0].key = 'short'
  doc.plugins[0].enabled = 'yes'
  doc.extra = 1
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/extra', "unknown property 'extra'"],
    ['/gateway/workers', 'must be >= 0 (got -1)'],
    ['/gateway/listeners/0/protocl', "unknown property 'protocl' (did you mean 'protocol'?)"],
    ['/gateway/listeners/0/port', 'must be <= 65535 (got 70000)'],
    ['/gateway/log/level', 'must be one of: trace, debug, info, warn, error, fatal (got "verbose")'],
    ['/services/0/protocol', 'must be one of: http, https, tgrpc, grpc (got "ftp")'],
    ['/services/0/targets', 'must have at least 1 item(s)'],
    ['/routes/0/methods/0', 'must be an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT) (got "FETCH")'],
    ['/routes/0/paths/0', "a path pattern must start with '/' (exact or '/prefix/*') or '~' (regular expression)"],
    ['/merchants/0/credentials/api_keys/0/key', 'must be at least 8 character(s) long'],
    ['/plugins/0/enabled', 'must be a boolean (got "yes")']
  ])
})

void test('a missing required field is reported at the field path', () => {
  const doc = { routes: [{ id: 'r', paths: ['/'] }], services: [{ targets: [{ host: 'a.internal' }] }] }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/services/0/id', 'is required'],
    ['/services/0/targets/0/port', 'is required'],
    ['/routes/0/service', 'is required']
  ])
})

void test('a grpc service needs its protobuf definitions', () => {
  const doc = minimalDocument()
  doc.services[0].protocol = 'grpc'
  const [problem] = problemsOf(validateConfig(doc, options))
  assert.deepEqual(problem, ['/services/0/grpc', 'give exactly one of proto, protos, proto_files, descriptor_set, descriptor_set_file (found none)'])
})

void test('ids, hosts, CIDRs and wildcard host names are checked by format', () => {
  const doc = minimalDocument()
  doc.services[0].id = '-bad'
  doc.services[0].targets[0].host = 'not a host'
  doc.gateway = { trusted_proxies: ['10.0.0.0/8', '::1', '10.0.0.0/33'] }
  doc.routes[0].hosts = ['a.*.example.com']
  doc.routes[0].service = '-bad'
  const paths = problemsOf(validateConfig(doc, options)).map(([path]) => path)
  assert.deepEqual(paths, ['/gateway/trusted_proxies/2', '/services/0/id', '/services/0/targets/0/host', '/routes/0/service', '/routes/0/hosts/0'])
})

void test('a non-mapping root is a problem at the root', () => {
  assert.deepEqual(problemsOf(validateConfig([1, 2], options)), [['', 'the document root must be a mapping (got a list)']])
  assert.deepEqual(problemsOf(validateConfig(null, options)), [['', 'the document root must be a mapping (got null)']])
})
