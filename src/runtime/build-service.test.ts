import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { validateConfig } from '../config/validate.js'
import type { ServiceConfig } from '../config/gateway-config.js'
import { DnsResponder } from '../../test/support/dns-responder.js'
import { recordingLogger } from '../../test/support/plugin-context.js'
import type { PickInput } from '../upstream/balancers/balancer.js'
import { manualTimers } from '../../test/support/manual-timers.js'
import { DnsCache } from '../upstream/dns/dns-cache.js'
import { dnsNameResolver } from '../upstream/dns/name-resolver.js'
import { wantedNamesOf } from '../upstream/dns/resolved-targets.js'
import { TargetRegistry } from '../upstream/targets.js'
import { buildService, followHostNames } from './build-service.js'
import { TransportPool } from './transports.js'

const responder = new DnsResponder()
let server: string
before(async () => { server = await responder.listen() })
after(() => responder.close())

const INPUT: PickInput = { merchantId: undefined, clientIp: '192.0.2.1', path: '/', header: () => undefined }

function service (): ServiceConfig {
  const result = validateConfig({ services: [{ id: 'svc', targets: [{ host: 'pool.test', port: 9000 }], slow_start_ms: 30_000 }] }, { file: 'test', baseDir: process.cwd(), pluginSchema: () => undefined })
  assert.ok(result.ok)
  return result.config.services[0] as ServiceConfig
}

void test('a DNS change swaps in new targets: kept addresses keep their in-flight attempts, new ones ramp up, removed ones are never picked', async () => {
  responder.set('pool.test', [{ address: '10.9.0.1', ttlSeconds: 5 }, { address: '10.9.0.2', ttlSeconds: 5 }])
  const timers = manualTimers()
  const log = recordingLogger()
  const dns = new DnsCache(dnsNameResolver({ servers: [server], timeoutMs: 300, tries: 1 }), log, { schedule: timers.schedule })
  const config = service()
  await dns.prepare(wantedNamesOf([config]))
  const registry = new TargetRegistry()
  const deps = { targets: registry, transports: new TransportPool(), log, dns }
  const runtime = buildService(config, deps)
  registry.enrol(new Map([['svc', runtime.targets.map((t) => t.id)]]))
  const stop = followHostNames(runtime, config, deps)
  try {
    assert.deepEqual(runtime.targets.map((t) => t.id), ['10.9.0.1:9000', '10.9.0.2:9000'])
    const kept = runtime.targets[0]!
    const oldBalancer = runtime.balancer
    oldBalancer.onSend(kept) // an attempt in flight across the change

    responder.set('pool.test', [{ address: '10.9.0.1', ttlSeconds: 5 }, { address: '10.9.0.3', ttlSeconds: 5 }])
    timers.fire()
    await dns.whenIdle()

    assert.deepEqual(runtime.targets.map((t) => t.id), ['10.9.0.1:9000', '10.9.0.3:9000'])
    assert.notEqual(runtime.balancer, oldBalancer)
    assert.equal(registry.get('10.9.0.1:9000').inFlight, 1, 'the attempt in flight is still counted')
    runtime.balancer.onDone(kept, { latencyMs: 3, ok: true })
    assert.equal(registry.get('10.9.0.1:9000').inFlight, 0, 'and ends on the new balancer')
    assert.ok(Number.isFinite(registry.get('10.9.0.3:9000').rampFromMs), 'the joining address ramps up (slow start)')
    assert.equal(registry.get('10.9.0.1:9000').rampFromMs, -Infinity, 'the kept one does not')
    assert.deepEqual([...registry.listedIds()].sort(), ['10.9.0.1:9000', '10.9.0.3:9000'])
    for (let i = 0; i < 50; i++) {
      const picked = runtime.balancer.pick(INPUT)
      assert.notEqual(picked?.id, '10.9.0.2:9000')
      if (picked !== undefined) { runtime.balancer.onSend(picked); runtime.balancer.onDone(picked, { latencyMs: 1, ok: true }) }
    }
    assert.equal(runtime.targets[1]?.hostName, 'pool.test')
  } finally {
    stop?.()
    dns.stop()
  }
})

void test('after unsubscribing, a replaced config version no longer follows DNS changes', async () => {
  responder.set('pool.test', [{ address: '10.9.1.1', ttlSeconds: 5 }])
  const timers = manualTimers()
  const log = recordingLogger()
  const dns = new DnsCache(dnsNameResolver({ servers: [server], timeoutMs: 300, tries: 1 }), log, { schedule: timers.schedule })
  const config = service()
  await dns.prepare(wantedNamesOf([config]))
  const deps = { targets: new TargetRegistry(), transports: new TransportPool(), log, dns }
  const runtime = buildService(config, deps)
  followHostNames(runtime, config, deps)?.()
  responder.set('pool.test', [{ address: '10.9.1.2', ttlSeconds: 5 }])
  timers.fire()
  await dns.whenIdle()
  assert.deepEqual(dns.addresses('pool.test', 'ipv4'), ['10.9.1.2'])
  assert.deepEqual(runtime.targets.map((t) => t.id), ['10.9.1.1:9000'])
  dns.stop()
})
