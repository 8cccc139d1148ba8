import { close, open, write } from 'node:fs'

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

/** Builds the sink of a path. Injected in tests to simulate slow or failing disks. */
export type SinkFactory = (path: string) => LogSink

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

function closeFd (fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (error) => error === null ? resolve() : reject(error)))
}

/** A file opened lazily with O_APPEND; closed and reopened by name on `reopen`. */
export function fileSink (path: string): LogSink {
  let fd: number | undefined
  async function release (): Promise<void> {
    if (fd === undefined) return
    const old = fd
    fd = undefined
    await closeFd(old)
  }
  return {
    async write (data) {
      fd ??= await openAppend(path)
      // A regular file takes the whole buffer in one write; the loop only covers a short write.
      for (let offset = 0; offset < data.length;) offset += await writeSome(fd, data, offset)
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
export const defaultSinkFactory: SinkFactory = (path) => path === '-' ? stdoutSink() : fileSink(path)
