import { afterEach, beforeEach, mock, test } from 'node:test'
import assert from 'node:assert/strict'
import { recordingLogger } from '../../../test/support/plugin-context.js'
import { slowSink, type SlowSink } from './test-sinks.js'
import { accessLogStats, LogWriter, type WriterSettings } from './writer.js'

const SETTINGS: WriterSettings = { bufferBytes: 1024, flushIntervalMs: 1000, maxPendingBytes: 4096 }
/** A 100-byte line (99 characters and the newline). */
const LINE = 'x'.repeat(99) + '\n'

let nowMs = 0
let sink: SlowSink
let logger: ReturnType<typeof recordingLogger>

function writer (settings: WriterSettings = SETTINGS): LogWriter {
  return new LogWriter('/test/access.log', sink, settings, logger, () => nowMs)
}

/** Lets settled sink promises run the writer's continuations. */
async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

/** Flushes `w`, finishing each write the slow sink receives until the flush resolves. */
async function flushThroughSlowSink (w: LogWriter): Promise<void> {
  let done = false
  const flushed = w.flush().then(() => { done = true })
  while (!done) {
    if (sink.pendingWrites > 0) sink.finishWrite()
    await settle()
  }
  await flushed
}

beforeEach(() => {
  mock.timers.enable({ apis: ['setTimeout'] })
  sink = slowSink()
  logger = recordingLogger()
  nowMs = 0
})

afterEach(() => {
  mock.timers.reset()
})

void test('lines wait in the batch until the interval passes, then go in one write', async () => {
  const w = writer()
  for (let i = 0; i < 3; i++) w.append(LINE)
  mock.timers.tick(999)
  assert.equal(sink.pendingWrites, 0)
  mock.timers.tick(1)
  assert.equal(sink.pendingWrites, 1)
  sink.finishWrite()
  assert.deepEqual(sink.written, [LINE.repeat(3)])
})

void test('a full batch is written at once, without waiting for the timer', () => {
  const w = writer()
  for (let i = 0; i < 11; i++) w.append(LINE) // the 11th line brings the batch to 1100 ≥ 1024 bytes
  assert.equal(sink.pendingWrites, 1)
  sink.finishWrite()
  assert.deepEqual(sink.written, [LINE.repeat(11)])
})

void test('only one write is in flight; sealed batches wait their turn, in order', async () => {
  const w = writer()
  for (let i = 0; i < 33; i++) w.append(LINE) // three full batches of 11 lines
  assert.equal(sink.pendingWrites, 1)
  sink.finishWrite()
  await settle()
  assert.equal(sink.pendingWrites, 1)
  sink.finishWrite()
  await settle()
  sink.finishWrite()
  assert.deepEqual(sink.written, [LINE.repeat(11), LINE.repeat(11), LINE.repeat(11)])
})

void test('behind a slow write, lines past max_pending_bytes are dropped and counted', async () => {
  const w = writer()
  const before = accessLogStats().droppedLines
  for (let i = 0; i < 11; i++) w.append(LINE) // in flight now, not pending
  for (let i = 0; i < 50; i++) w.append(LINE) // 40 fit in 4096 pending bytes, 10 do not
  assert.equal(w.pendingBytes, 4000)
  assert.equal(w.droppedLines, 10)
  assert.equal(accessLogStats().droppedLines - before, 10)
  await flushThroughSlowSink(w)
  assert.equal(sink.written.join('').length, 51 * LINE.length)
})

void test('drops are warned about at most once per interval, with the count since the last warning', () => {
  const w = writer({ ...SETTINGS, maxPendingBytes: 1024 })
  for (let i = 0; i < 11; i++) w.append(LINE)
  for (let i = 0; i < 10; i++) w.append(LINE) // pending: 1000 bytes
  for (let i = 0; i < 5; i++) w.append(LINE) // dropped
  nowMs = 999
  w.append(LINE)
  nowMs = 1000
  w.append(LINE)
  const warnings = logger.records.filter((r) => r.level === 'warn')
  assert.deepEqual(warnings.map((r) => (r.obj as { dropped_lines: number }).dropped_lines), [1, 6])
  assert.equal((warnings[0]?.obj as { reason: string }).reason, 'pending bound exceeded')
})

void test('a failed write drops its lines, warns, and the writer goes on with the next batch', async () => {
  const w = writer()
  for (let i = 0; i < 11; i++) w.append(LINE)
  w.append('after\n')
  sink.finishWrite(new Error('ENOSPC'))
  await settle()
  assert.equal(w.droppedLines, 11)
  assert.equal(logger.records[0]?.level, 'warn')
  const flushed = w.flush()
  sink.finishWrite()
  await flushed
  assert.deepEqual(sink.written, ['after\n'])
})

void test('flush resolves once everything appended so far is written', async () => {
  const w = writer()
  w.append('a\n')
  let done = false
  const flushed = w.flush().then(() => { done = true })
  await settle()
  assert.equal(done, false)
  sink.finishWrite()
  await flushed
  assert.deepEqual(sink.written, ['a\n'])
})

void test('reopen waits for the write in flight, and the next batch follows it', async () => {
  const calls: string[] = []
  const tracked = { ...sink, reopen: async () => { calls.push('reopen') } }
  const w = new LogWriter('/test/access.log', { ...tracked, write: (data) => { calls.push('write'); return sink.write(data) } }, SETTINGS, logger, () => nowMs)
  for (let i = 0; i < 11; i++) w.append(LINE)
  w.reopen()
  w.append('next\n')
  const flushed = w.flush()
  assert.deepEqual(calls, ['write'])
  sink.finishWrite()
  await settle()
  assert.deepEqual(calls, ['write', 'reopen', 'write'])
  sink.finishWrite()
  await flushed
})

void test('a closed writer drops and counts late lines instead of writing them', async () => {
  const w = writer()
  await w.close()
  w.append('late\n')
  assert.equal(w.droppedLines, 1)
  assert.equal(sink.pendingWrites, 0)
})
