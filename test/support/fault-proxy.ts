// A fault-injecting TCP proxy for tests: sits in front of a real server (an upstream, Redis, the
// config service) and, per mode, passes bytes through or breaks the connection the way networks
// and servers break. Listens on 127.0.0.1 on a free port; `close()` stops it and every connection.
import { createServer, connect, type Server, type Socket } from 'node:net'

/** What the proxy does with connections, decided when bytes arrive (so a mode change applies at once). */
export type FaultMode =
  | { kind: 'pass' }
  /** Nothing listens: connections are refused by the kernel. */
  | { kind: 'refuse' }
  /** Accepts, then resets (RST) as soon as the client sends anything. */
  | { kind: 'reset' }
  /** Passes the request on, then resets the client after `afterBytes` bytes of the reply. */
  | { kind: 'reset-reply', afterBytes: number }
  /** Accepts and reads, never answers. */
  | { kind: 'hang' }
  /** Passes the reply on `bytes` at a time every `everyMs`. */
  | { kind: 'trickle', bytes: number, everyMs: number }
  /** Answers anything with these bytes, then closes. */
  | { kind: 'garbage', reply: Buffer | string }
  /**
   * Passes bytes through, but resets every connection whose client sent `pattern` in its first
   * bytes (e.g. a Redis client's connection name): open ones at once, new ones when they say it.
   */
  | { kind: 'cut-matching', pattern: string }

/** Client bytes kept per connection for `cut-matching` (a Redis handshake fits easily). */
const HEAD_BYTES = 1024

export class FaultProxy {
  mode: FaultMode = { kind: 'pass' }
  /** Connections accepted so far. */
  accepted = 0
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  /** The first bytes each passed-through client sent (for `cut-matching`). */
  private readonly heads = new Map<Socket, string>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private boundPort = 0

  private constructor (private readonly target: { host: string, port: number }) {}

  /** Starts a proxy to `target` on a free loopback port. */
  static async start (target: { host: string, port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target)
    await proxy.listen(0)
    return proxy
  }

  get port (): number { return this.boundPort }
  get host (): string { return '127.0.0.1' }

  /** Switches mode; `refuse` closes the listening socket, leaving it reopens on the same port. */
  async setMode (mode: FaultMode): Promise<void> {
    this.mode = mode
    if (mode.kind === 'refuse' && this.server !== undefined) {
      // Stops listening at once; connections already open stay until cutAll() (close's callback would wait for them).
      this.server.close()
      this.server = undefined
    } else if (mode.kind !== 'refuse' && this.server === undefined) {
      await this.listen(this.boundPort)
    }
    if (mode.kind === 'cut-matching') {
      for (const [client, head] of this.heads) if (head.includes(mode.pattern)) client.resetAndDestroy()
    }
  }

  /** Destroys every open connection (both sides), as a network cut would. */
  cutAll (): void {
    for (const socket of this.sockets) socket.destroy()
    this.sockets.clear()
  }

  async close (): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    this.cutAll()
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private async listen (port: number): Promise<void> {
    const server = createServer((client) => this.onClient(client))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.boundPort = (server.address() as { port: number }).port
    this.server = server
  }

  private track (socket: Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
  }

  private onClient (client: Socket): void {
    this.accepted++
    this.track(client)
    const mode = this.mode
    if (mode.kind === 'reset') {
      client.once('data', () => client.resetAndDestroy())
      return
    }
    if (mode.kind === 'hang') {
      client.resume()
      return
    }
    if (mode.kind === 'garbage') {
      client.once('data', () => client.end(mode.reply))
      return
    }
    const upstream = connect(this.target.port, this.target.host)
    this.track(upstream)
    const passing = mode.kind === 'pass' || mode.kind === 'cut-matching'
    upstream.on('close', () => { if (passing) client.destroy() })
    client.on('close', () => { upstream.destroy(); this.heads.delete(client) })
    if (passing) this.watchHead(client)
    client.pipe(upstream)
    if (mode.kind === 'reset-reply') return this.resetAfter(upstream, client, mode.afterBytes)
    if (mode.kind === 'trickle') return this.trickle(upstream, client, mode.bytes, mode.everyMs)
    upstream.pipe(client)
  }

  /** Remembers the client's first bytes and resets it once they match a `cut-matching` pattern. */
  private watchHead (client: Socket): void {
    this.heads.set(client, '')
    client.on('data', (chunk: Buffer) => {
      const head = this.heads.get(client)
      if (head === undefined) return
      const grown = head.length < HEAD_BYTES ? (head + chunk.toString('latin1')).slice(0, HEAD_BYTES) : head
      this.heads.set(client, grown)
      const mode = this.mode
      if (mode.kind === 'cut-matching' && grown.includes(mode.pattern)) client.resetAndDestroy()
    })
  }

  private resetAfter (upstream: Socket, client: Socket, limit: number): void {
    let sent = 0
    upstream.on('data', (chunk: Buffer) => {
      const room = limit - sent
      if (room > 0) client.write(chunk.subarray(0, room))
      sent += chunk.length
      if (sent >= limit) {
        upstream.destroy()
        // Let the bytes already written leave before the reset.
        const timer = setTimeout(() => { this.timers.delete(timer); client.resetAndDestroy() }, 20)
        this.timers.add(timer)
      }
    })
  }

  private trickle (upstream: Socket, client: Socket, bytes: number, everyMs: number): void {
    let pending = Buffer.alloc(0)
    let ended = false
    let timer: NodeJS.Timeout | undefined
    const drip = (): void => {
      timer = undefined
      if (client.destroyed) return
      if (pending.length > 0) {
        client.write(pending.subarray(0, bytes))
        pending = pending.subarray(bytes)
      }
      if (pending.length > 0) schedule()
      else if (ended) client.end()
    }
    const schedule = (): void => {
      if (timer !== undefined) return
      timer = setTimeout(() => { if (timer !== undefined) this.timers.delete(timer); drip() }, everyMs)
      this.timers.add(timer)
    }
    upstream.on('data', (chunk: Buffer) => { pending = Buffer.concat([pending, chunk]); schedule() })
    upstream.on('end', () => { ended = true; schedule() })
  }
}
