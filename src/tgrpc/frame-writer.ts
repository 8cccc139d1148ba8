import type { Socket } from 'node:net'

/**
 * Writes frames to a socket, coalescing everything written in one turn of the event loop into one
 * syscall: the socket is corked on the first write and uncorked in the loop's check phase, after
 * every socket that was readable in this turn has been handled. Under load the calls made for many
 * merchants' requests (or a backend's answers to them) leave in one writev instead of one write
 * each; the wait is at most the rest of the current turn.
 */
export class FrameWriter {
  private corked = false

  constructor (private readonly socket: Socket) {}

  write (buffers: Buffer[]): void {
    if (this.socket.destroyed) return
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      setImmediate(this.uncork)
    }
    for (const buffer of buffers) this.socket.write(buffer)
  }

  private readonly uncork = (): void => {
    this.corked = false
    this.socket.uncork()
  }
}
