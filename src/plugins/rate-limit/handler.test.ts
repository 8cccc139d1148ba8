import { afterEach, test } from 'node:test'
import assert from 'node:assert/strict'
import type { Reply } from '../../kit/reply.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, makeEnv, makeMerchant, type ContextInit, type TestContext } from '../../../test/support/plugin-context.js'
import { createRateLimit, type RateLimitState } from './handler.js'
import { rateLimitSchema } from './schema.js'

let nowMs = 0
const plugin = createRateLimit({ now: () => nowMs })
const validate = compileConfigValidator(rateLimitSchema)
const live: RateLimitState[] = []
let bindings = 0

afterEach(() => {
  for (const state of live.splice(0)) plugin.destroy!(state)
})

/** Compiles a binding; each call gets a fresh binding id unless one is given. */
function compile (config: object, bindingId = `binding-${++bindings}`): RateLimitState {
  const checked = validate(config)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  const state = plugin.compile!(checked.config, makeEnv({ bindingId }))
  live.push(state)
  return state
}

/** Runs the access phase, then the header filter when the request was admitted. */
function send (state: RateLimitState, init: ContextInit = {}): { ctx: TestContext, reply: Reply | undefined } {
  const ctx = makeContext({ response: {}, ...init })
  const reply = plugin.access!(ctx, state)
  assert.ok(!(reply instanceof Promise), 'the local policy answers synchronously')
  if (reply === undefined) plugin.headerFilter!(ctx, state)
  return { ctx, reply: reply ?? undefined }
}

function admitted (state: RateLimitState, init?: ContextInit): boolean {
  return send(state, init).reply === undefined
}

const acme = makeMerchant('m-acme')
const zeta = makeMerchant('m-zeta')

void test('fixed: admits limit requests per window with counting-down headers', () => {
  nowMs = 1_000_000 // window 100 of 10 s, 0 ms in
  const state = compile({ limit: 3, window_seconds: 10, window: 'fixed' })
  const seen = []
  for (let i = 0; i < 3; i++) {
    nowMs += 1000
    const { ctx, reply } = send(state, { merchant: acme })
    assert.equal(reply, undefined)
    const headers = ctx.response?.headers
    seen.push([headers?.get('ratelimit-limit'), headers?.get('ratelimit-remaining'), headers?.get('ratelimit-reset')])
  }
  assert.deepEqual(seen, [['3', '2', '9'], ['3', '1', '8'], ['3', '0', '7']])
  assert.deepEqual(send(state, { merchant: acme }).ctx.slots.rateLimit, undefined)
})

void test('fixed: the request over the limit gets 429 TG_RATE_LIMITED with Retry-After and RateLimit headers', () => {
  nowMs = 2_000_000
  const state = compile({ limit: 2, window_seconds: 10, window: 'fixed' })
  send(state, { merchant: acme })
  nowMs += 2500
  const second = send(state, { merchant: acme })
  assert.equal(second.ctx.response?.headers.get('ratelimit-reset'), '8')
  assert.deepEqual(send(state, { merchant: acme }).reply, {
    code: 'TG_RATE_LIMITED',
    headers: { 'retry-after': '8', 'ratelimit-limit': '2', 'ratelimit-remaining': '0', 'ratelimit-reset': '8', 'ratelimit-policy': '2;w=10' }
  })
})

void test('fixed: a new window admits again and refused requests did not count', () => {
  nowMs = 3_000_000
  const state = compile({ limit: 1, window_seconds: 10, window: 'fixed' })
  assert.equal(admitted(state), true)
  for (let i = 0; i < 5; i++) assert.equal(admitted(state), false)
  nowMs += 10_000
  assert.equal(admitted(state), true)
  assert.equal(admitted(state), false)
})

void test('Retry-After is at least 1 second just before the window ends', () => {
  nowMs = 4_000_000
  const state = compile({ limit: 1, window_seconds: 10, window: 'fixed' })
  send(state)
  nowMs += 9_999
  assert.equal(send(state).reply?.headers?.['retry-after'], '1')
})

void test('sliding: the previous window counts by its overlap', () => {
  nowMs = 6_000_000 // window 100 of 60 s
  const state = compile({ limit: 10, window_seconds: 60 })
  for (let i = 0; i < 10; i++) assert.equal(admitted(state, { merchant: acme }), true)
  assert.equal(admitted(state, { merchant: acme }), false)
  nowMs += 90_000 // half way through the next window: 10 × 0.5 = 5 still count
  const counts = []
  let result
  do {
    result = send(state, { merchant: acme })
    if (result.reply === undefined) counts.push(result.ctx.response?.headers.get('ratelimit-remaining'))
  } while (result.reply === undefined)
  assert.deepEqual(counts, ['4', '3', '2', '1', '0'])
  // room again when 10 × (1 − f) + 5 + 1 ≤ 10, i.e. f = 0.6: 36 s into the window, 6 s from now
  assert.equal(result.reply?.headers?.['retry-after'], '6')
  nowMs += 5_900
  assert.equal(admitted(state, { merchant: acme }), false)
  nowMs += 100
  assert.equal(admitted(state, { merchant: acme }), true)
})

void test('sliding: a full current window waits for its own count to decay in the next', () => {
  nowMs = 7_000_000 // window 700 of 10 s
  const state = compile({ limit: 2, window_seconds: 10 })
  send(state)
  send(state)
  nowMs += 1000
  // 2 × (1 − f) + 1 ≤ 2 in the next window at f = 0.5: 10 s − 1 s + 5 s
  assert.equal(send(state).reply?.headers?.['retry-after'], '14')
  nowMs += 13_900
  assert.equal(admitted(state), false)
  nowMs += 100
  assert.equal(admitted(state), true)
})

void test('sliding: counts older than the previous window are forgotten', () => {
  nowMs = 8_000_000
  const state = compile({ limit: 2, window_seconds: 10 })
  send(state)
  send(state)
  nowMs += 20_000
  assert.equal(admitted(state), true)
  assert.equal(admitted(state), true)
})

void test('headers: false sends no RateLimit headers, but 429 keeps Retry-After', () => {
  nowMs = 9_000_000
  const state = compile({ limit: 1, window: 'fixed', headers: false })
  const ok = send(state)
  assert.equal(ok.ctx.response?.headers.size, 0)
  assert.deepEqual(send(state).reply, { code: 'TG_RATE_LIMITED', headers: { 'retry-after': '60' } })
})

void test('key_by merchant: merchants have their own counters, shared across client IPs', () => {
  nowMs = 10_000_000
  const state = compile({ limit: 1, key_by: ['merchant'] })
  assert.equal(admitted(state, { merchant: acme, request: { clientIp: '198.51.100.1' } }), true)
  assert.equal(admitted(state, { merchant: zeta, request: { clientIp: '198.51.100.1' } }), true)
  assert.equal(admitted(state, { merchant: acme, request: { clientIp: '198.51.100.2' } }), false)
})

void test('key_by merchant without an identified merchant falls back to the client IP', () => {
  nowMs = 11_000_000
  const state = compile({ limit: 1, key_by: ['merchant'] })
  assert.equal(admitted(state, { request: { clientIp: '198.51.100.1' } }), true)
  assert.equal(admitted(state, { request: { clientIp: '198.51.100.2' } }), true)
  assert.equal(admitted(state, { request: { clientIp: '198.51.100.1' } }), false)
  // the IP counter is not the counter of a merchant whose id looks like an IP
  assert.equal(admitted(state, { merchant: makeMerchant('198.51.100.1') }), true)
})

void test('key_by route: one counter per route whoever calls', () => {
  nowMs = 12_000_000
  const state = compile({ limit: 1, key_by: ['route'] })
  assert.equal(admitted(state, { merchant: acme, routeId: 'orders' }), true)
  assert.equal(admitted(state, { merchant: zeta, routeId: 'orders' }), false)
  assert.equal(admitted(state, { merchant: zeta, routeId: 'refunds' }), true)
})

void test('key_by merchant+route: one counter per pair, IP fallback per route', () => {
  nowMs = 13_000_000
  const state = compile({ limit: 1, key_by: ['merchant', 'route'] })
  assert.equal(admitted(state, { merchant: acme, routeId: 'orders' }), true)
  assert.equal(admitted(state, { merchant: acme, routeId: 'refunds' }), true)
  assert.equal(admitted(state, { merchant: zeta, routeId: 'orders' }), true)
  assert.equal(admitted(state, { merchant: acme, routeId: 'orders' }), false)
  assert.equal(admitted(state, { routeId: 'orders' }), true)
  assert.equal(admitted(state, { routeId: 'orders' }), false)
})

void test('key_by ip: merchants behind one IP share its counter', () => {
  nowMs = 14_000_000
  const state = compile({ limit: 1, key_by: ['ip'] })
  assert.equal(admitted(state, { merchant: acme, request: { clientIp: '192.0.2.1' } }), true)
  assert.equal(admitted(state, { merchant: zeta, request: { clientIp: '192.0.2.1' } }), false)
  assert.equal(admitted(state, { merchant: zeta, request: { clientIp: '192.0.2.2' } }), true)
})

void test('counters survive a reload that keeps the binding id and config', () => {
  nowMs = 15_000_000
  const config = { limit: 2, window: 'fixed' }
  const before = compile(config, 'binding-reload')
  send(before, { merchant: acme })
  const after = compile(config, 'binding-reload')
  plugin.destroy!(before)
  live.splice(live.indexOf(before), 1)
  assert.equal(admitted(after, { merchant: acme }), true)
  assert.equal(admitted(after, { merchant: acme }), false)
})

void test('counters survive a reload that only toggles headers', () => {
  nowMs = 16_000_000
  send(compile({ limit: 1 }, 'binding-toggle'), { merchant: acme })
  assert.equal(admitted(compile({ limit: 1, headers: false }, 'binding-toggle'), { merchant: acme }), false)
})

void test('a changed limit or another binding starts fresh counters', () => {
  nowMs = 17_000_000
  send(compile({ limit: 1 }, 'binding-change'), { merchant: acme })
  assert.equal(admitted(compile({ limit: 2 }, 'binding-change'), { merchant: acme }), true)
  assert.equal(admitted(compile({ limit: 1 }, 'binding-other'), { merchant: acme }), true)
})

void test('the plugin sits in the limits band', () => {
  assert.equal(plugin.name, 'rate-limit')
  assert.equal(plugin.priority, 2000)
})

void test('key_by service: one counter per service', () => {
  nowMs = 18_000_000
  const state = compile({ limit: 1, key_by: ['service'] })
  assert.equal(admitted(state, { routeId: 'a', serviceId: 'orders' }), true)
  assert.equal(admitted(state, { routeId: 'b', serviceId: 'orders' }), false)
  assert.equal(admitted(state, { routeId: 'a', serviceId: 'refunds' }), true)
})

void test('key_by header: one counter per value; without the header the client IP counts', () => {
  nowMs = 19_000_000
  const state = compile({ limit: 1, key_by: ['header:X-Tenant'] })
  assert.equal(admitted(state, { request: { headers: { 'x-tenant': 't1' }, clientIp: '192.0.2.1' } }), true)
  assert.equal(admitted(state, { request: { headers: { 'x-tenant': 't1' }, clientIp: '192.0.2.2' } }), false)
  assert.equal(admitted(state, { request: { headers: { 'x-tenant': 't2' }, clientIp: '192.0.2.1' } }), true)
  assert.equal(admitted(state, { request: { clientIp: '192.0.2.1' } }), true)
  assert.equal(admitted(state, { request: { clientIp: '192.0.2.1' } }), false)
  // a tenant whose name looks like an address does not share the address's counter
  assert.equal(admitted(state, { request: { headers: { 'x-tenant': '192.0.2.2' }, clientIp: '192.0.2.9' } }), true)
})

void test('key_by merchant, ip and a header: one counter per combination', () => {
  nowMs = 20_000_000
  const state = compile({ limit: 1, key_by: ['merchant', 'ip', 'header:x-app'] })
  const base = { merchant: acme, request: { clientIp: '192.0.2.1', headers: { 'x-app': 'one' } } }
  assert.equal(admitted(state, base), true)
  assert.equal(admitted(state, base), false)
  assert.equal(admitted(state, { ...base, merchant: zeta }), true)
  assert.equal(admitted(state, { ...base, request: { ...base.request, clientIp: '192.0.2.2' } }), true)
  assert.equal(admitted(state, { ...base, request: { ...base.request, headers: { 'x-app': 'two' } } }), true)
})

void test('several limits: the request must fit all; a refusal by one counts against none', () => {
  nowMs = Date.UTC(2026, 10, 30, 23, 59, 0) // 60 s before December
  const state = compile({ limits: [{ limit: 2, per: 'second' }, { limit: 5, per: 'month' }], window: 'fixed' })
  const statuses = []
  for (let second = 0; second < 4; second++) {
    for (let i = 0; i < 3; i++) statuses.push(admitted(state, { merchant: acme }) ? 1 : 0)
    nowMs += 1000
  }
  // 2 per second until the month's 5 are used; the 3rd try of each second counted against nothing
  assert.deepEqual(statuses, [1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0])
  const refusal = send(state, { merchant: acme }).reply
  assert.equal(refusal?.headers?.['ratelimit-limit'], '5', 'the monthly limit refused')
  assert.equal(refusal?.headers?.['retry-after'], '56', 'until December 1st 00:00 UTC')
  nowMs = Date.UTC(2026, 11, 1, 0, 0, 0)
  assert.equal(admitted(state, { merchant: acme }), true, 'a new calendar month')
})

void test('headers speak for the limit closest to running out, and RateLimit-Policy lists every limit', () => {
  nowMs = Date.UTC(2026, 1, 10, 12, 0, 0, 500) // February: 28 days
  const state = compile({ limits: [{ limit: 100, per: 'second' }, { limit: 3, per: 'month' }, { limit: 50, per: 'hour' }] })
  const { ctx } = send(state, { merchant: acme })
  const headers = ctx.response?.headers
  assert.deepEqual([headers?.get('ratelimit-limit'), headers?.get('ratelimit-remaining'), headers?.get('ratelimit-reset')],
    ['3', '2', String(18 * 86_400 + 12 * 3600)])
  assert.equal(headers?.get('ratelimit-policy'), '100;w=1, 3;w=2592000, 50;w=3600')
})

void test('a month limit counts fixed calendar months even when the window is sliding', () => {
  nowMs = Date.UTC(2026, 0, 31, 23, 59, 59)
  const state = compile({ limits: [{ limit: 1, per: 'month' }] })
  assert.equal(admitted(state), true)
  assert.equal(admitted(state), false)
  nowMs += 1000 // February 1st: nothing of January carries over
  assert.equal(admitted(state), true)
})

void test('policy cluster without gateway.redis is refused when the binding compiles', () => {
  assert.throws(() => compile({ limit: 1, policy: 'cluster' }), /gateway\.redis/)
})
