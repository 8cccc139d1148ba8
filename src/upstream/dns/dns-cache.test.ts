import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DnsResponder } from '../../../test/support/dns-responder.js'
import { recordingLogger } from '../../../test/support/plugin-context.js'
import { manualTimers } from '../../../test/support/manual-timers.js'
import { DnsCache } from './dns-cache.js'
import { dnsNameResolver } from './name-resolver.js'
import type { NameSettings } from './settings.js'

const SETTINGS: NameSettings = { family: 'ipv4', ttlMinMs: 1000, ttlMaxMs: 3_600_000, staleMs: 300_000, defaultTtlMs: 30_000, retryMs: 5000 }

describe('DNS cache against a real (test) DNS server', () => {
  const responder = new DnsResponder()
  let server: string
  before(async () => { server = await responder.listen() })
  after(() => responder.close())

  function setup (settings: NameSettings = SETTINGS) {
    const timers = manualTimers()
    const clock = { nowMs: 1_000_000 }
    const log = recordingLogger()
    const cache = new DnsCache(dnsNameResolver({ servers: [server], timeoutMs: 300, tries: 1 }), log, { now: () => clock.nowMs, schedule: timers.schedule })
    const changes: string[] = []
    cache.onChange((name) => changes.push(name))
    const refresh = async (): Promise<void> => {
      timers.fire()
      await cache.whenIdle()
    }
    return { cache, timers, clock, log, changes, refresh, prepare: (name: string) => cache.prepare([{ name, settings }]) }
  }

  it('resolves a name when prepared and refreshes it when its TTL runs out, not before', async () => {
    responder.set('ttl.test', [{ address: '10.0.0.1', ttlSeconds: 30 }, { address: '10.0.0.2', ttlSeconds: 45 }])
    const { cache, timers, prepare } = setup()
    await prepare('ttl.test')
    assert.deepEqual(cache.addresses('ttl.test', 'ipv4'), ['10.0.0.1', '10.0.0.2'])
    assert.deepEqual(timers.delays, [30_000], 'the lowest TTL of the answer')
    assert.equal(responder.queriesOf('ttl.test'), 1)
    await prepare('ttl.test')
    assert.equal(responder.queriesOf('ttl.test'), 1, 'a known name is not resolved again by a reload')
    cache.stop()
  })

  it('keeps TTLs within ttl_min and ttl_max', async () => {
    responder.set('zero.test', [{ address: '10.0.1.1', ttlSeconds: 0 }])
    responder.set('week.test', [{ address: '10.0.1.2', ttlSeconds: 604_800 }])
    const { cache, timers, prepare } = setup()
    await prepare('zero.test')
    await prepare('week.test')
    assert.deepEqual(timers.delays, [1000, 3_600_000])
    cache.stop()
  })

  it('a refresh that finds new addresses replaces the answer and tells the listeners', async () => {
    responder.set('moving.test', [{ address: '10.0.2.1', ttlSeconds: 5 }])
    const { cache, changes, refresh, prepare } = setup()
    await prepare('moving.test')
    responder.set('moving.test', [{ address: '10.0.2.2', ttlSeconds: 5 }])
    await refresh()
    assert.deepEqual(cache.addresses('moving.test', 'ipv4'), ['10.0.2.2'])
    assert.deepEqual(changes, ['moving.test', 'moving.test'], 'first answer, then the change')
    await refresh()
    assert.equal(changes.length, 2, 'the same answer again is no change')
    cache.stop()
  })

  it('while the server fails (SERVFAIL, then timeouts) the last good answer is kept for the stale window, then dropped', async () => {
    responder.set('flaky.test', [{ address: '10.0.3.1', ttlSeconds: 10 }])
    const { cache, timers, clock, log, changes, refresh, prepare } = setup({ ...SETTINGS, staleMs: 60_000 })
    await prepare('flaky.test')
    try {
      responder.mode = 'servfail'
      clock.nowMs += 10_000
      await refresh()
      assert.deepEqual(cache.addresses('flaky.test', 'ipv4'), ['10.0.3.1'], 'stale answer in use')
      assert.equal(timers.delays.at(-1), 5000, 'retried after retry_s')
      assert.match(String(log.records.find((r) => r.level === 'warn')?.msg), /keeping the last good answer/)
      responder.mode = 'timeout'
      clock.nowMs += 30_000
      await refresh()
      assert.deepEqual(cache.addresses('flaky.test', 'ipv4'), ['10.0.3.1'])
      clock.nowMs += 30_001 // past expiry + stale_s
      await refresh()
      assert.equal(cache.addresses('flaky.test', 'ipv4'), undefined)
      assert.deepEqual(changes, ['flaky.test', 'flaky.test'], 'the drop is a change')
      responder.mode = 'answer'
      await refresh()
      assert.deepEqual(cache.addresses('flaky.test', 'ipv4'), ['10.0.3.1'], 'back once DNS answers')
    } finally {
      responder.mode = 'answer'
      cache.stop()
    }
  })

  it('a name DNS does not know (localhost, /etc/hosts) is answered by the system resolver, with default_ttl', async () => {
    const { cache, timers, prepare } = setup()
    await prepare('localhost')
    assert.equal(responder.queriesOf('localhost'), 1, 'DNS was asked first')
    assert.deepEqual(cache.addresses('localhost', 'ipv4'), ['127.0.0.1'])
    assert.deepEqual(timers.delays, [30_000])
    cache.stop()
  })

  it('ipv6 and any resolve AAAA records', async () => {
    responder.set('dual.test', [{ address: '10.0.4.1', ttlSeconds: 60 }, { address: 'fd00::4:1', ttlSeconds: 60 }])
    const { cache } = setup()
    await cache.prepare([{ name: 'dual.test', settings: { ...SETTINGS, family: 'ipv6' } }, { name: 'dual.test', settings: { ...SETTINGS, family: 'any' } }])
    assert.deepEqual(cache.addresses('dual.test', 'ipv6'), ['fd00::4:1'])
    assert.deepEqual(cache.addresses('dual.test', 'any'), ['10.0.4.1', 'fd00::4:1'])
    assert.equal(cache.addresses('dual.test', 'ipv4'), undefined, 'not asked for')
    cache.stop()
  })

  it('a name that resolves nowhere is unresolved and tried again after retry_s', async () => {
    const { cache, timers, log, prepare } = setup()
    await prepare('nowhere.invalid')
    assert.equal(cache.addresses('nowhere.invalid', 'ipv4'), undefined)
    assert.deepEqual(timers.delays, [5000])
    assert.match(String(log.records.find((r) => r.level === 'warn')?.msg), /unresolved/)
    cache.stop()
  })

  it('retain drops the names a new config no longer lists, and their timers', async () => {
    responder.set('kept.test', [{ address: '10.0.5.1', ttlSeconds: 60 }])
    responder.set('gone.test', [{ address: '10.0.5.2', ttlSeconds: 60 }])
    const { cache, refresh, prepare } = setup()
    await prepare('kept.test')
    await prepare('gone.test')
    cache.retain([{ name: 'kept.test', settings: SETTINGS }])
    assert.equal(cache.addresses('gone.test', 'ipv4'), undefined)
    const before = responder.queriesOf('gone.test')
    await refresh()
    assert.equal(responder.queriesOf('gone.test'), before)
    assert.equal(responder.queriesOf('kept.test'), 2)
    cache.stop()
  })
})
