// Passive health across config reloads, through the worker's real snapshot builder.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { InProcessGateway } from '../../testing/inject.js'
import type { PickInput } from '../balancers/balancer.js'
import { HealthAwareBalancer } from './health-aware-balancer.js'

const INPUT: PickInput = { merchantId: undefined, clientIp: '127.0.0.1', path: '/', header: () => undefined }

function config (ports: number[]): unknown {
  return {
    services: [{ id: 'svc', targets: ports.map((port) => ({ host: '127.0.0.1', port })) }],
    routes: [{ id: 'all', service: 'svc', paths: ['/*'] }]
  }
}

function balancerOf (gateway: InProcessGateway): HealthAwareBalancer {
  const balancer = gateway.snapshot?.services.get('svc')?.balancer
  assert.ok(balancer instanceof HealthAwareBalancer)
  return balancer
}

void test('every service balancer has passive health in front, configured from the service', () => {
  const gateway = new InProcessGateway().load({
    services: [{ id: 'svc', balancer: 'least-connections', targets: [{ host: '127.0.0.1', port: 1 }], passive_health: { consecutive_failures: 3 } }],
    routes: [{ id: 'all', service: 'svc', paths: ['/*'] }]
  })
  const balancer = balancerOf(gateway)
  assert.equal(balancer.name, 'least-connections')
  assert.equal(balancer.detector.options.consecutiveFailures, 3)
  assert.equal(balancer.detector.options.baseEjectionMs, 30_000)
})

void test('a target ejected on one config version is still ejected on the next', () => {
  const ports = Array.from({ length: 10 }, (_, i) => 20_001 + i)
  const gateway = new InProcessGateway().load(config(ports))
  const first = balancerOf(gateway)
  const bad = gateway.snapshot?.services.get('svc')?.balancer.pick(INPUT, new Set(ports.slice(1).map((p) => `127.0.0.1:${p}`)))
  assert.equal(bad?.id, '127.0.0.1:20001')
  for (let i = 0; i < 5; i++) {
    first.onSend(bad)
    first.onDone(bad, { ok: false, latencyMs: 1 })
  }
  gateway.load(config(ports))
  const second = balancerOf(gateway)
  assert.notEqual(second, first)
  for (let i = 0; i < 500; i++) assert.notEqual(second.pick(INPUT)?.id, bad.id)
})

void test('a target added to a running service starts slow; the first config’s targets do not', () => {
  const gateway = new InProcessGateway().load(config([20_001, 20_002]))
  assert.equal(gateway.targets.get('127.0.0.1:20001').rampFromMs, -Infinity)
  gateway.load(config([20_001, 20_002, 20_003]))
  assert.ok(Number.isFinite(gateway.targets.get('127.0.0.1:20003').rampFromMs), 'the joiner ramps')
  assert.equal(gateway.targets.get('127.0.0.1:20002').rampFromMs, -Infinity)
})
