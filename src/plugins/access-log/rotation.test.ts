import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { recordingLogger } from '../../../test/support/plugin-context.js'
import { rotateIfDue } from './rotation.js'
import { LogWriterPool } from './writer-pool.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-rotation-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

const SETTINGS = { bufferBytes: 1024, flushIntervalMs: 60_000, maxPendingBytes: 1024 * 1024 }
const line = (worker: number, i: number) => `{"worker":${worker},"i":${i},"pad":"${'x'.repeat(60)}"}\n`

/** Every line of `path` and its rotated files, oldest file first. */
function allLines (path: string): string[] {
  const names = readdirSync(dir).filter((name) => name === path.slice(dir.length + 1) || name.startsWith(`${path.slice(dir.length + 1)}.`))
  const rotated = names.filter((n) => /\.\d+$/.test(n)).sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()))
  const ordered = [...rotated, ...names.filter((n) => !/\.\d+$/.test(n) && !n.endsWith('.rotating'))]
  return ordered.flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter((l) => l !== ''))
}

describe('access-log rotation by size', () => {
  it('rotates path → path.1 → … keeping `keep` files, each past max_bytes by at most one batch', async () => {
    const path = join(dir, `single-${++files}.log`)
    const pool = new LogWriterPool()
    const writer = pool.acquire(path, SETTINGS, recordingLogger(), { maxBytes: 4096, keep: 3 })
    for (let i = 0; i < 400; i++) {
      writer.append(line(0, i))
      if (i % 10 === 9) await writer.flush()
    }
    await pool.release(writer)
    // The current file exists unless the very last write rotated it (it is created by the next write).
    const names = readdirSync(dir).filter((n) => n.startsWith(`single-${files}.log.`)).sort()
    assert.deepEqual(names, [`single-${files}.log.1`, `single-${files}.log.2`, `single-${files}.log.3`])
    for (const name of names) {
      const size = readFileSync(join(dir, name)).length
      assert.ok(size >= 4096 && size < 4096 + 1024 + 100, `${name}: ${size} bytes`)
    }
    // The newest lines are in the current file, in order, and the kept files continue each other.
    const kept = allLines(path).map((l) => (JSON.parse(l) as { i: number }).i)
    assert.equal(kept.at(-1), 399)
    assert.deepEqual(kept, kept.map((_, k) => (kept[0] as number) + k))
  })

  it('loses no line when several workers append to one file and rotate it', async () => {
    const path = join(dir, `shared-${++files}.log`)
    // Three pools stand for three workers: separate descriptors on one file, as in separate processes.
    const workers = [0, 1, 2].map(() => new LogWriterPool())
    const writers = workers.map((pool) => pool.acquire(path, SETTINGS, recordingLogger(), { maxBytes: 8192, keep: 100 }))
    const perWorker = 300
    await Promise.all(writers.map(async (writer, w) => {
      for (let i = 0; i < perWorker; i++) {
        writer.append(line(w, i))
        if (i % 7 === 6) await writer.flush()
      }
    }))
    await Promise.all(workers.map((pool, w) => pool.release(writers[w]!)))
    const lines = allLines(path)
    const records = lines.map((l) => JSON.parse(l) as { worker: number, i: number })
    assert.equal(records.length, 3 * perWorker, 'every line once, none torn')
    for (let w = 0; w < 3; w++) {
      assert.deepEqual(records.filter((r) => r.worker === w).map((r) => r.i), Array.from({ length: perWorker }, (_, i) => i), `worker ${w} in order`)
    }
    assert.ok(readdirSync(dir).some((n) => n === `shared-${files}.log.2`), 'it did rotate several times')
    assert.equal(existsSync(`${path}.rotating`), false, 'the lock is released')
  })

  it('leaves the file alone while another worker holds a fresh lock, and clears a stale one', async () => {
    const path = join(dir, `locked-${++files}.log`)
    writeFileSync(path, 'x'.repeat(100))
    writeFileSync(`${path}.rotating`, '')
    const { ino } = await import('node:fs').then((fs) => fs.statSync(path))
    await rotateIfDue(path, ino, { maxBytes: 10, keep: 2 })
    assert.equal(existsSync(`${path}.1`), false)
    const old = new Date(Date.now() - 60_000)
    utimesSync(`${path}.rotating`, old, old)
    await rotateIfDue(path, ino, { maxBytes: 10, keep: 2 })
    assert.equal(existsSync(`${path}.rotating`), false, 'stale lock removed')
    await rotateIfDue(path, ino, { maxBytes: 10, keep: 2 })
    assert.equal(existsSync(`${path}.1`), true)
  })

  it('does not rotate a file another worker already rotated (different inode at the path)', async () => {
    const path = join(dir, `moved-${++files}.log`)
    writeFileSync(path, 'x'.repeat(100))
    await rotateIfDue(path, -1, { maxBytes: 10, keep: 2 })
    assert.equal(existsSync(`${path}.1`), false)
  })
})
