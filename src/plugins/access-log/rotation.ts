import { promises as fs } from 'node:fs'

/** Size-based rotation of a log file: `path` → `path.1` → … → `path.<keep>`. */
export interface RotationSettings {
  /** The file is rotated once a write leaves it at this size or more. */
  readonly maxBytes: number
  /** Rotated files kept; the oldest beyond it is overwritten. */
  readonly keep: number
}

/** A lock older than this was left by a worker that died while rotating. */
const STALE_LOCK_MS = 30_000

async function renameIfPresent (from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/** Takes `path.rotating` with O_EXCL; false when another worker holds it (a stale one is cleared for next time). */
async function takeLock (lockPath: string): Promise<boolean> {
  try {
    await (await fs.open(lockPath, 'wx', 0o640)).close()
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    const stat = await fs.stat(lockPath).catch(() => undefined)
    if (stat !== undefined && Date.now() - stat.mtimeMs > STALE_LOCK_MS) await fs.unlink(lockPath).catch(() => undefined)
    return false
  }
}

/**
 * Rotates `path` if it is still the file `ino` (the one the caller's descriptor points at) and has
 * reached `maxBytes`. Several workers append to one file, so the rotation is claimed with an O_EXCL
 * lock file and re-checked under it: a worker that lost the race finds a different inode at the
 * path and only reopens. Renaming never loses a line: a worker that is still writing through a
 * descriptor of the old inode writes into `path.1`, and reopens after its write (see the sink).
 */
export async function rotateIfDue (path: string, ino: number, settings: RotationSettings): Promise<void> {
  const lockPath = `${path}.rotating`
  if (!await takeLock(lockPath)) return
  try {
    const current = await fs.stat(path).catch(() => undefined)
    if (current === undefined || current.ino !== ino || current.size < settings.maxBytes) return
    for (let i = settings.keep - 1; i >= 1; i--) await renameIfPresent(`${path}.${i}`, `${path}.${i + 1}`)
    await fs.rename(path, `${path}.1`)
  } finally {
    await fs.unlink(lockPath).catch(() => undefined)
  }
}
