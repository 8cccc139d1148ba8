// health_checks.active per protocol: HTTP fields only on http/https services, the RPC service names only on theirs.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateConfig, type ValidationResult } from '../validate.js'
import { fakePluginSchema } from '../testing/fixtures.js'
import { DEMO_PROTO } from '../../conversion/grpc/testing/demo-proto.js'

const options = { file: 'tollgate.yaml', baseDir: process.cwd(), pluginSchema: fakePluginSchema }

function validate (protocol: string, active: Record<string, unknown>): ValidationResult {
  const service: Record<string, unknown> = { id: 'svc', protocol, targets: [{ host: '127.0.0.1', port: 9001 }], health_checks: { active } }
  if (protocol === 'grpc') service.grpc = { proto: DEMO_PROTO }
  return validateConfig({ services: [service] }, options)
}

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the config to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

void test('tgrpc and grpc services take active checks; the HTTP defaults are not filled in for them', () => {
  for (const protocol of ['tgrpc', 'grpc']) {
    const result = validate(protocol, { interval_ms: 1000, [`${protocol}_service`]: 'orders' })
    if (!result.ok) assert.fail(JSON.stringify(result.problems))
    assert.deepEqual(result.config.services[0]?.health_checks.active, { interval_ms: 1000, timeout_ms: 1000, healthy_threshold: 2, unhealthy_threshold: 3, [`${protocol}_service`]: 'orders' })
  }
})

void test('path, expected_statuses, https and host are refused on tgrpc and grpc services, each at its path', () => {
  assert.deepEqual(problemsOf(validate('tgrpc', { path: '/health', expected_statuses: [200], https: true, host: 'a.test' })), ['path', 'expected_statuses', 'https', 'host'].map((field) => [
    `/services/0/health_checks/active/${field}`, `an HTTP check setting: tgrpc services are checked with the TG-RPC method tgrpc.health/check, which has no ${field}`
  ]))
  assert.deepEqual(problemsOf(validate('grpc', { path: '/health' })), [
    ['/services/0/health_checks/active/path', 'an HTTP check setting: grpc services are checked with grpc.health.v1.Health/Check, which has no path']
  ])
})

void test('grpc_service and tgrpc_service are refused on services of another protocol', () => {
  assert.deepEqual(problemsOf(validate('http', { grpc_service: 'a', tgrpc_service: 'b' })), [
    ['/services/0/health_checks/active/grpc_service', "only used by grpc services (service 'svc' speaks http)"],
    ['/services/0/health_checks/active/tgrpc_service', "only used by tgrpc services (service 'svc' speaks http)"]
  ])
  assert.deepEqual(problemsOf(validate('tgrpc', { grpc_service: 'a' })), [
    ['/services/0/health_checks/active/grpc_service', "only used by grpc services (service 'svc' speaks tgrpc)"]
  ])
})
