import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, makeEnv, type ContextInit, type TestEnv } from '../../../test/support/plugin-context.js'
import { FULL_RECORD, FULL_REQUEST, fullRequestWithId } from '../../../test/support/log-record-fixture.js'
import { LogCollector, waitUntil } from '../../../test/support/log-collector.js'
import { createHttpLog, type HttpLogState } from './handler.js'
import { httpLogSchema } from './schema.js'
import { ShipperPool } from './shipper-pool.js'
import { httpLogStats } from './stats.js'

const validate = compileConfigValidator(httpLogSchema)
const collector = new LogCollector()
before(async () => { await collector.listen() })
after(() => collector.close())

let paths = 0
/** A plugin over its own pool posting to the shared collector, on a path of its own. */
function setup () {
  const pool = new ShipperPool()
  const plugin = createHttpLog(pool)
  const path = `/logs/${++paths}`
  const env = makeEnv()
  function compile (config: object = {}, bindingEnv: TestEnv = env): HttpLogState {
    const checked = validate({ url: collector.url(path), flush_interval_ms: 60_000, retry_base_ms: 1, retry_max_ms: 5, ...config })
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    return plugin.compile!(checked.config, bindingEnv)
  }
  function log (state: HttpLogState, init: ContextInit = {}): void {
    plugin.log!(makeContext({ response: {}, ...init }), state)
  }
  const batches = () => collector.batches.filter((batch) => batch.path === path)
  const records = () => batches().flatMap((batch) => batch.records)
  return { plugin, pool, env, compile, log, batches, records }
}

const FULL = FULL_REQUEST
const withId = fullRequestWithId

void test('each request becomes one access-log record, POSTed as JSON lines with the configured headers', async () => {
  const { env, compile, log, batches } = setup()
  log(compile({ headers: { Authorization: 'Bearer collector-token' } }), FULL)
  await env.emit('drain')
  const [batch] = batches()
  assert.equal(batch?.contentType, 'application/x-ndjson')
  assert.equal(batch?.headers.authorization, 'Bearer collector-token')
  assert.deepEqual(batch?.records, [FULL_RECORD])
})

void test('json-array sends one JSON array, with the configured content type', async () => {
  const { env, compile, log, batches } = setup()
  const state = compile({ format: 'json-array', content_type: 'application/json; charset=utf-8', include_query: true })
  log(state, withId('a'))
  log(state, withId('b'))
  await env.emit('drain')
  assert.equal(batches().length, 1)
  assert.equal(batches()[0]?.contentType, 'application/json; charset=utf-8')
  assert.deepEqual(batches()[0]?.records.map((r) => [r.request_id, r.query]), [['a', 'apikey=secret&page=2'], ['b', 'apikey=secret&page=2']])
})

void test('a batch goes out once batch_max_records wait, without waiting for the interval', async () => {
  const { env, compile, log, batches, records } = setup()
  const state = compile({ batch_max_records: 3 })
  for (let i = 0; i < 7; i++) log(state, withId(`r${i}`))
  await waitUntil('two full batches arrived', () => batches().length === 2)
  assert.deepEqual(batches().map((b) => b.records.length), [3, 3])
  assert.equal(state.shipper.queuedRecords, 1, 'the seventh waits for the interval or a drain')
  await env.emit('drain')
  assert.deepEqual(records().map((r) => r.request_id), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'])
})

void test('a batch never exceeds batch_max_bytes', async () => {
  const { env, compile, log, batches } = setup()
  const state = compile({ batch_max_bytes: 1024 }) // a record is about 450 bytes: two per batch
  for (let i = 0; i < 5; i++) log(state, withId(`r${i}`))
  await env.emit('drain')
  assert.deepEqual(batches().map((b) => b.records.length), [2, 2, 1])
})

void test('a partial batch is sent flush_interval_ms after its first record, without a drain', async () => {
  const { compile, log, records } = setup()
  const state = compile({ flush_interval_ms: 20 })
  log(state, withId('timed-1'))
  log(state, withId('timed-2'))
  await waitUntil('the timer sent the batch', () => records().length === 2)
  assert.equal(state.shipper.queuedRecords, 0)
})

void test('a collector answering 500 then 503 then 200: the batch is retried and nothing is lost or doubled', async () => {
  const { env, compile, log, records } = setup()
  const state = compile()
  const before = httpLogStats()
  const requestsBefore = collector.requests
  collector.failNext(500, 503)
  for (let i = 0; i < 3; i++) log(state, withId(`retry-${i}`))
  await env.emit('drain')
  assert.deepEqual(records().map((r) => r.request_id), ['retry-0', 'retry-1', 'retry-2'])
  assert.equal(collector.requests - requestsBefore, 3)
  assert.equal(httpLogStats().retries - before.retries, 2)
  assert.equal(httpLogStats().sentRecords - before.sentRecords, 3)
})

void test('a batch the collector stored but never answered is retried with the same x-tollgate-batch-id', async () => {
  const { env, compile, log, batches } = setup()
  const state = compile()
  const before = httpLogStats()
  collector.storeThenDropNext()
  log(state, withId('twice-1'))
  log(state, withId('twice-2'))
  await env.emit('drain')
  const [stored, retried] = batches()
  assert.deepEqual(batches().map((b) => b.status), [0, 200], 'stored and dropped, then stored and answered')
  assert.match(String(stored?.headers['x-tollgate-batch-id']), /^[0-9a-f-]{36}-\d+$/)
  assert.equal(retried?.headers['x-tollgate-batch-id'], stored?.headers['x-tollgate-batch-id'])
  assert.deepEqual(retried?.records, stored?.records)
  assert.equal(httpLogStats().retries - before.retries, 1)
})

void test('every batch has its own id; another worker (shipper pool) posting to the same collector uses another prefix', async () => {
  const worker1 = setup()
  const worker2 = setup()
  const state1 = worker1.compile({ batch_max_records: 1 })
  const state2 = worker2.compile({ batch_max_records: 1 })
  for (let i = 0; i < 3; i++) worker1.log(state1, withId(`w1-${i}`))
  worker2.log(state2, withId('w2-0'))
  await Promise.all([worker1.env.emit('drain'), worker2.env.emit('drain')])
  const ids1 = worker1.batches().map((b) => String(b.headers['x-tollgate-batch-id']))
  const ids2 = worker2.batches().map((b) => String(b.headers['x-tollgate-batch-id']))
  const prefix = (id: string) => id.slice(0, id.lastIndexOf('-'))
  assert.equal(new Set(ids1).size, 3)
  assert.deepEqual(ids1.map((id) => id.slice(id.lastIndexOf('-') + 1)), ['1', '2', '3'], 'numbered in the order the batches were taken')
  assert.equal(new Set(ids1.map(prefix)).size, 1)
  assert.notEqual(prefix(ids2[0] as string), prefix(ids1[0] as string))
})

void test('a 4xx other than 408/429 drops the batch at once (retrying cannot help), counted as rejected', async () => {
  const { env, compile, log, records } = setup()
  const state = compile()
  const before = httpLogStats()
  const requestsBefore = collector.requests
  collector.failNext(400)
  log(state, withId('refused-1'))
  log(state, withId('refused-2'))
  await env.emit('drain')
  assert.equal(collector.requests - requestsBefore, 1)
  assert.equal(records().length, 0)
  assert.equal(httpLogStats().droppedRecords.rejected - before.droppedRecords.rejected, 2)
  assert.match(String(env.log.records.find((r) => r.level === 'warn')?.msg), /dropped/)
})

void test('after max_retries failed retries the batch is dropped and counted; the next batch goes through', async () => {
  const { env, compile, log, records } = setup()
  const state = compile({ max_retries: 2 })
  const before = httpLogStats()
  const requestsBefore = collector.requests
  collector.failNext(500, 500, 500)
  log(state, withId('lost'))
  await env.emit('drain')
  assert.equal(collector.requests - requestsBefore, 3, 'one attempt and two retries')
  assert.equal(httpLogStats().droppedRecords['retries-exhausted'] - before.droppedRecords['retries-exhausted'], 1)
  log(state, withId('next'))
  await env.emit('drain')
  assert.deepEqual(records().map((r) => r.request_id), ['next'])
})

void test('a hanging collector: log() returns at once, the queue stays within its bounds, drops are counted', async () => {
  const { compile, log, plugin } = setup()
  collector.hang = true
  try {
    const state = compile({ batch_max_records: 2, queue_max_records: 5, timeout_ms: 60_000 })
    const before = httpLogStats()
    for (let i = 0; i < 20; i++) log(state, withId(`h${i}`)) // each call returns: nothing awaits the collector
    await waitUntil('the first batch reached the collector', () => collector.hungRequests === 1)
    assert.equal(state.shipper.queuedRecords, 5)
    assert.equal(httpLogStats().droppedRecords['queue-full'] - before.droppedRecords['queue-full'], 13, '20 = 2 in flight + 5 queued + 13 dropped')
    const shutdownBefore = httpLogStats().droppedRecords.shutdown
    plugin.destroy!({ ...state, drainTimeoutMs: 0 })
    await waitUntil('the shipper closed', () => httpLogStats().droppedRecords.shutdown - shutdownBefore === 7)
  } finally {
    collector.hang = false
  }
})

void test('the queue is bounded in bytes as well as in records', () => {
  const { compile, log, plugin } = setup()
  collector.hang = true
  try {
    const state = compile({ batch_max_records: 1000, batch_max_bytes: 1024, queue_max_bytes: 2048, timeout_ms: 60_000 })
    const before = httpLogStats().droppedRecords['queue-full']
    for (let i = 0; i < 20; i++) log(state, withId(`b${i}`))
    assert.ok(state.shipper.queuedRecordBytes <= 2048, `${state.shipper.queuedRecordBytes} bytes queued`)
    assert.ok(httpLogStats().droppedRecords['queue-full'] - before >= 10)
    plugin.destroy!({ ...state, drainTimeoutMs: 0 })
  } finally {
    collector.hang = false
  }
})

void test('a reload shares the shipper: records queued by the old version are sent', async () => {
  const { plugin, pool, env, compile, log, records } = setup()
  const v1 = compile()
  log(v1, withId('v1'))
  const v2 = compile({ include_query: true })
  assert.equal(v2.shipper, v1.shipper)
  plugin.destroy!(v1)
  log(v2, withId('v2'))
  assert.equal(env.listenerCount('drain'), 1)
  await env.emit('drain')
  assert.deepEqual(records().map((r) => r.request_id), ['v1', 'v2'])
  assert.equal(pool.size, 1)
})

void test('destroying the last binding sends what is queued, then closes the shipper', async () => {
  const { plugin, pool, env, compile, log, records } = setup()
  const state = compile()
  log(state, withId('last'))
  plugin.destroy!(state)
  await waitUntil('the record was sent', () => records().length === 1)
  assert.equal(pool.size, 0)
  assert.equal(env.listenerCount('drain'), 0)
})

void test('bindings with other headers post through their own shippers', () => {
  const { compile } = setup()
  assert.notEqual(compile({ headers: { authorization: 'Bearer a' } }).shipper, compile({ headers: { authorization: 'Bearer b' } }).shipper)
  assert.equal(compile({ headers: { 'X-Key': 'k' } }).shipper, compile({ headers: { 'x-key': 'k' } }).shipper)
})

void test('settings that cannot work together are refused when the config compiles', () => {
  const { compile } = setup()
  assert.throws(() => compile({ retry_base_ms: 100, retry_max_ms: 10 }), /retry_max_ms \(10\) must be at least retry_base_ms \(100\)/)
  assert.throws(() => compile({ batch_max_records: 50, queue_max_records: 10 }), /queue_max_records \(10\) must be at least batch_max_records \(50\)/)
  assert.throws(() => compile({ batch_max_bytes: 4096, queue_max_bytes: 2048 }), /queue_max_bytes \(2048\) must be at least batch_max_bytes \(4096\)/)
  assert.throws(() => compile({ headers: { 'X-Tollgate-Batch-Id': 'fixed' } }), /headers must not set x-tollgate-batch-id/)
})

void test('the plugin sits in the logging band and only has a log phase', () => {
  const { plugin } = setup()
  assert.equal(plugin.name, 'http-log')
  assert.equal(plugin.priority, 100)
  assert.deepEqual([plugin.rewrite, plugin.access, plugin.content, plugin.headerFilter, plugin.bodyFilter], [undefined, undefined, undefined, undefined, undefined])
})
