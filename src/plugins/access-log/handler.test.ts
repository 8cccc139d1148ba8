import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, makeEnv, type ContextInit, type TestEnv } from '../../../test/support/plugin-context.js'
import { FULL_RECORD, FULL_REQUEST } from '../../../test/support/log-record-fixture.js'
import { createAccessLog, type AccessLogState } from './handler.js'
import { accessLogSchema } from './schema.js'
import { fileSink, type LogSink } from './sink.js'
import { newSinkRecord, recordingSink, type SinkRecord } from './test-sinks.js'
import { LogWriterPool } from './writer-pool.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-access-log-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const validate = compileConfigValidator(accessLogSchema)
let files = 0

/** A plugin over its own pool whose sinks are real files, recorded. */
function setup () {
  const record: SinkRecord = newSinkRecord()
  const closed: Array<() => void> = []
  const pool = new LogWriterPool({
    createSink: (path): LogSink => {
      const sink = recordingSink(fileSink(path), record)
      return { ...sink, close: async () => { await sink.close(); for (const resolve of closed.splice(0)) resolve() } }
    }
  })
  const plugin = createAccessLog(pool)
  const path = join(dir, `access-${++files}.log`)
  const env = makeEnv()
  function compile (config: object = {}, bindingEnv: TestEnv = env): AccessLogState {
    const checked = validate({ path, flush_interval_ms: 60_000, ...config })
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    return plugin.compile!(checked.config, bindingEnv)
  }
  function log (state: AccessLogState, init: ContextInit = {}): void {
    plugin.log!(makeContext({ response: {}, ...init }), state)
  }
  const nextClose = () => new Promise<void>((resolve) => closed.push(resolve))
  const lines = (file = path) => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
  return { plugin, pool, path, env, record, compile, log, lines, nextClose }
}

const FULL = FULL_REQUEST

void test('each request becomes one JSON line with every field', async () => {
  const { env, compile, log, lines } = setup()
  log(compile(), FULL)
  await env.emit('drain')
  assert.deepEqual(lines(), [FULL_RECORD])
})

void test('the query is logged only with include_query', async () => {
  const { env, compile, log, lines } = setup()
  log(compile({ include_query: true }), FULL)
  await env.emit('drain')
  assert.equal(lines()[0]?.query, 'apikey=secret&page=2')
})

void test('a gateway reply without upstream logs nulls, not missing fields', async () => {
  const { env, compile, log, lines } = setup()
  log(compile(), { response: { status: 401, generated: true, errorCode: 'TG_AUTH_KEY_MISSING' } })
  await env.emit('drain')
  const [line] = lines()
  assert.deepEqual(
    [line?.status, line?.error_code, line?.merchant, line?.target, line?.upstream_status, line?.attempts, line?.upstream_ms, line?.duration_ms, line?.user_agent],
    [401, 'TG_AUTH_KEY_MISSING', null, null, null, 0, null, null, null]
  )
})

void test('the log phase does no I/O: nothing is opened until a batch is written', async () => {
  const { path, env, compile, log, record } = setup()
  const state = compile()
  for (let i = 0; i < 5; i++) log(state, FULL)
  assert.equal(existsSync(path), false)
  assert.equal(record.writes.length, 0)
  await env.emit('drain')
  assert.equal(record.writes.length, 1, 'five lines, one write')
  assert.equal(record.writes[0]?.split('\n').length, 6)
})

void test('a batch reaching buffer_bytes is written without waiting for the interval', async () => {
  const { pool, path, compile, log, record, lines } = setup()
  const state = compile({ buffer_bytes: 1024 })
  for (let i = 0; i < 4; i++) log(state, FULL) // a line is about 400 bytes: the third fills the batch
  await new Promise((resolve) => setImmediate(resolve))
  await pool.get(path)?.flush()
  assert.equal(record.writes.length, 2)
  assert.equal(record.writes[0]?.split('\n').length, 4)
  assert.equal(lines().length, 4)
  assert.equal(record.maxInFlight, 1)
})

void test('reopen-logs after a rename (rotation) sends new lines to a new file at the path', async () => {
  const { path, env, compile, log, lines, record } = setup()
  const state = compile()
  log(state, FULL)
  await env.emit('drain')
  renameSync(path, `${path}.1`)
  log(state, { ...FULL, request: { ...FULL.request, id: 'req-after' } })
  await env.emit('reopen-logs')
  await env.emit('drain')
  assert.deepEqual(lines(`${path}.1`).map((line) => line.request_id), ['req-42'])
  assert.deepEqual(lines().map((line) => line.request_id), ['req-after'])
  assert.equal(record.reopens, 1)
})

void test('a reload shares the writer: lines buffered by the old version are not lost', async () => {
  const { pool, path, env, compile, log, lines, record } = setup()
  const v1 = compile()
  log(v1, { ...FULL, request: { id: 'v1' } })
  const v2 = compile({ include_query: true })
  assert.equal(v2.writer, v1.writer)
  createAccessLog(pool).destroy!(v1)
  log(v2, { ...FULL, request: { id: 'v2' } })
  assert.equal(env.listenerCount('drain'), 1)
  await env.emit('drain')
  assert.deepEqual(lines().map((line) => line.request_id), ['v1', 'v2'])
  assert.equal(record.closes, 0)
  assert.equal(pool.get(path), v2.writer)
})

void test('destroying the last binding of a path flushes and closes its file', async () => {
  const { plugin, pool, path, env, compile, log, lines, record, nextClose } = setup()
  const state = compile()
  log(state, FULL)
  const closed = nextClose()
  plugin.destroy!(state)
  await closed
  assert.equal(lines().length, 1)
  assert.equal(record.closes, 1)
  assert.equal(pool.get(path), undefined)
  assert.equal(env.listenerCount('drain') + env.listenerCount('reopen-logs'), 0)
})

void test('bindings on two paths write to their own files', async () => {
  const first = setup()
  const second = setup()
  first.log(first.compile(), { request: { id: 'one' } })
  second.log(second.compile(), { request: { id: 'two' } })
  await Promise.all([first.env.emit('drain'), second.env.emit('drain')])
  assert.deepEqual(first.lines().map((line) => line.request_id), ['one'])
  assert.deepEqual(second.lines().map((line) => line.request_id), ['two'])
})

void test('an unwritable path drops the lines with a warning and never throws into the request', async () => {
  const { plugin } = setup()
  const env = makeEnv()
  const checked = validate({ path: join(dir, 'missing-dir', 'access.log') })
  assert.ok(checked.ok)
  const state = plugin.compile!(checked.config, env)
  plugin.log!(makeContext({ response: {} }), state)
  await env.emit('drain')
  assert.equal(state.writer.droppedLines, 1)
  assert.match(String(env.log.records.find((r) => r.level === 'warn')?.msg), /dropped/)
})

void test('max_pending_bytes below buffer_bytes is refused when the config compiles', () => {
  const { compile } = setup()
  assert.throws(() => compile({ buffer_bytes: 4096, max_pending_bytes: 2048 }), /max_pending_bytes \(2048\) must be at least buffer_bytes \(4096\)/)
})

void test('the plugin sits in the logging band and only has a log phase', () => {
  const { plugin } = setup()
  assert.equal(plugin.name, 'access-log')
  assert.equal(plugin.priority, 100)
  assert.deepEqual([plugin.rewrite, plugin.access, plugin.content, plugin.headerFilter, plugin.bodyFilter], [undefined, undefined, undefined, undefined, undefined])
})

void test('two spellings of one path share one writer', () => {
  const { pool, compile, path } = setup()
  const absolute = compile()
  const spelled = `${dir}/./sub/../${path.slice(dir.length + 1)}` // not normalised: join() would tidy it
  const relative = compile({ path: spelled })
  assert.notEqual(spelled, path)
  assert.equal(relative.writer, absolute.writer)
  assert.equal(pool.get(path), absolute.writer)
})
