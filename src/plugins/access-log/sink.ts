import { close, fstat, open, stat, write } from 'node:fs'
import { rotateIfDue, type RotationSettings } from './rotation.js'

/**
 * Where a log writer's batches go. The writer calls one method at a time and waits for it, so a
 * sink never sees overlapping calls.
 */
export interface LogSink {
  /** Appends `data` (whole lines) in one write, opening the destination first when needed. Rejects on I/O errors. */
  write (data: Buffer): Promise<void>
  /** Closes the destination; the next write opens the path again (log rotation). */
  reopen (): Promise<void>
  /** Closes the destination for good. */
  close (): Promise<void>
}

/** Builds the sink of a path; `rotation` reads the path's current rotation settings (none: never rotated). Injected in tests. */
export type SinkFactory = (path: string, rotation?: () => RotationSettings | undefined) => LogSink

/** O_APPEND, so several workers appending to one file never overwrite each other's lines. */
const APPEND_FLAGS = 'a'
/** Access logs carry client addresses and merchant ids: not world-readable. */
const FILE_MODE = 0o640

function openAppend (path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, APPEND_FLAGS, FILE_MODE, (error, fd) => error === null ? resolve(fd) : reject(error)))
}

function writeSome (fd: number, data: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => write(fd, data, offset, data.length - offset, null, (error, written) => error === null ? resolve(written) : reject(error)))
}

function fstatOf (fd: number): Promise<{ ino: number, size: number }> {
  return new Promise((resolve, reject) => fstat(fd, (error, stats) => error === null ? resolve(stats) : reject(error)))
}

/** The inode at `path` now, or undefined when nothing is there (rotated away and not recreated yet). */
function inodeAt (path: string): Promise<number | undefined> {
  return new Promise((resolve) => stat(path, (error, stats) => resolve(error === null ? stats.ino : undefined)))
}

function closeFd (fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (error) => error === null ? resolve() : reject(error)))
}

/**
 * A file opened lazily with O_APPEND; closed and reopened by name on `reopen`. With rotation
 * settings, after each write the sink rotates the file once it reached `maxBytes` (see
 * rotateIfDue), and reopens when the path no longer names the file it writes to (another worker
 * rotated it, or an operator moved it).
 */
export function fileSink (path: string, rotation: () => RotationSettings | undefined = () => undefined): LogSink {
  let fd: number | undefined
  async function release (): Promise<void> {
    if (fd === undefined) return
    const old = fd
    fd = undefined
    await closeFd(old)
  }
  async function afterWrite (written: number): Promise<void> {
    const settings = rotation()
    if (settings === undefined) return
    const mine = await fstatOf(written)
    if (mine.size >= settings.maxBytes) await rotateIfDue(path, mine.ino, settings)
    if (await inodeAt(path) !== mine.ino) await release()
  }
  return {
    async write (data) {
      fd ??= await openAppend(path)
      const target = fd
      // A regular file takes the whole buffer in one write; the loop only covers a short write.
      for (let offset = 0; offset < data.length;) offset += await writeSome(target, data, offset)
      await afterWrite(target)
    },
    reopen: release,
    close: release
  }
}

/**
 * Standard output through its stream, not `fs.write(1)`: when stdout is a pipe Node may have made it
 * non-blocking, and a raw write would fail with EAGAIN instead of waiting.
 */
export function stdoutSink (): LogSink {
  return {
    write: (data) => new Promise((resolve, reject) => {
      process.stdout.write(data, (error) => error == null ? resolve() : reject(error))
    }),
    reopen: async () => {},
    close: async () => {}
  }
}

/** The default factory: `-` is stdout, anything else a file. */
export const defaultSinkFactory: SinkFactory = (path, rotation) => path === '-' ? stdoutSink() : fileSink(path, rotation)
