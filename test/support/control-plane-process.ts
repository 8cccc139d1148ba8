// A real control plane (`tollgate control-plane`) on its own throwaway database and Redis key
// prefix, with its admin API and RPC service on free loopback ports; for end-to-end tests.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { stringify } from 'yaml'
import { MAIN } from './gateway-process.js'
import { REDIS } from './services.js'
import { createTempDatabase, type TempDatabase } from './mysql-database.js'

export const ADMIN_TOKEN = 'control-plane-test-token-0123456789'

/** Where a test's control plane reaches Redis and which ports it binds (0: free ones, learnt at start). */
export interface ControlPlaneOptions {
  /** Default the shared test Redis; a fault proxy in front of it lets a test cut the relay off. */
  readonly redis?: { host: string, port: number }
  /** Fixed ports survive a restart (gateways keep the RPC address of their bootstrap). */
  readonly adminPort?: number
  readonly rpcPort?: number
}

export class ControlPlaneProcess {
  readonly dir = mkdtempSync(join(tmpdir(), 'tollgate-cp-'))
  readonly settingsFile = join(this.dir, 'control-plane.yaml')
  /** The Redis key prefix of this run (gateways of the test must use the same). */
  readonly keyPrefix = `tgtest:${randomBytes(4).toString('hex')}:`
  adminPort = 0
  rpcPort = 0
  stderr = ''
  private child: ChildProcess | undefined
  private exited: Promise<number | null> | undefined

  private constructor (readonly database: TempDatabase) {}

  /** Creates the database and writes the settings; `start()` runs it. */
  static async create (options: ControlPlaneOptions = {}): Promise<ControlPlaneProcess> {
    const cp = new ControlPlaneProcess(await createTempDatabase())
    const redis = options.redis ?? REDIS
    writeFileSync(cp.settingsFile, stringify({
      mysql: cp.database.settings,
      redis: { host: redis.host, port: redis.port, key_prefix: cp.keyPrefix },
      admin: { host: '127.0.0.1', port: options.adminPort ?? 0, token: ADMIN_TOKEN },
      rpc: { host: '127.0.0.1', port: options.rpcPort ?? 0 },
      relay: { poll_ms: 50 },
      log: { level: 'info' }
    }))
    return cp
  }

  get adminUrl (): string {
    return `http://127.0.0.1:${this.adminPort}`
  }

  /** Starts the process and waits for its "control plane running" line (ports learnt from it). */
  async start (timeoutMs = 20_000): Promise<void> {
    const child = spawn(process.execPath, [MAIN, 'control-plane', '-c', this.settingsFile], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child = child
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    child.stderr?.setEncoding('utf8').on('data', (text: string) => { this.stderr += text })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`control plane did not start in ${timeoutMs} ms: ${this.stderr}`)), timeoutMs)
      let buffered = ''
      child.stdout?.setEncoding('utf8').on('data', (text: string) => {
        buffered += text
        let newline: number
        while ((newline = buffered.indexOf('\n')) !== -1) {
          const line = JSON.parse(buffered.slice(0, newline)) as { msg?: string, admin?: string, rpc?: string }
          buffered = buffered.slice(newline + 1)
          if (line.msg === 'control plane running') {
            this.adminPort = Number(line.admin?.split(':').at(-1))
            this.rpcPort = Number(line.rpc?.split(':').at(-1))
            clearTimeout(timer)
            resolve()
          }
        }
      })
      void this.exited?.then((code) => { clearTimeout(timer); reject(new Error(`control plane exited (${String(code)}): ${this.stderr}`)) })
    })
  }

  /** A JSON call to the admin API with the token. */
  async admin (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number, body: any, headers: Headers }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await fetch(this.adminUrl + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers }
  }

  /** SIGTERM and wait; resolves with the exit code. */
  async stop (): Promise<number | null> {
    return await this.kill('SIGTERM')
  }

  /** Sends `signal` (SIGKILL: a crash) to the process and waits until it is gone. */
  async kill (signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null
    child.kill(signal)
    return await this.exited ?? null
  }

  /** Stops it, drops the database, removes the files (Redis keys are the caller's to delete). */
  async cleanup (): Promise<void> {
    await this.stop()
    await this.database.drop()
    rmSync(this.dir, { recursive: true, force: true })
  }
}
