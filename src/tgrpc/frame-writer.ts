import type { Socket } from 'node:net'

/**
 * Writes frames to a socket, coalescing everything written in one tick into one syscall: the
 * socket is corked on the first write of a tick and uncorked on the next microtask turn. Under
 * load many responses (or calls) leave in one writev instead of one write each.
 */
export class FrameWriter {
  private corked = false

  constructor (private readonly socket: Socket) {}

  write (buffers: Buffer[]): void {
    if (this.socket.destroyed) return
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      process.nextTick(this.uncork)
    }
    for (const buffer of buffers) this.socket.write(buffer)
  }

  private readonly uncork = (): void => {
    this.corked = false
    this.socket.uncork()
  }
}
