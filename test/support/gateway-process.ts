import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { stringify } from 'yaml'

/** The compiled CLI entry (tests run from dist/test/...). */
export const MAIN = resolve(import.meta.dirname, '../../src/main.js')

/** A real gateway (primary + workers) started through the CLI on a config written for the test. */
export class GatewayProcess {
  readonly dir: string
  readonly configFile: string
  readonly pidFile: string
  readonly lines: Array<Record<string, unknown>> = []
  stderr = ''
  private child: ChildProcess | undefined
  private exitPromise: Promise<number | null> | undefined
  private waiters: Array<{ test: (line: Record<string, unknown>) => boolean, resolve: () => void }> = []

  constructor (config: unknown) {
    this.dir = mkdtempSync(join(tmpdir(), 'tollgate-it-'))
    this.configFile = join(this.dir, 'tollgate.yaml')
    this.pidFile = join(this.dir, 'tollgate.pid')
    this.writeConfig(config)
  }

  writeConfig (config: unknown): void {
    writeFileSync(this.configFile, typeof config === 'string' ? config : stringify(config))
  }

  get pid (): number {
    const pid = this.child?.pid
    if (pid === undefined) throw new Error('gateway not started')
    return pid
  }

  /** Starts it and waits until every worker serves config version 1. */
  async start (workers = 1, timeoutMs = 15_000): Promise<void> {
    const child = spawn(process.execPath, [MAIN, 'start', '-c', this.configFile, '--workers', String(workers), '--pid-file', this.pidFile], {
      stdio: ['ignore', 'pipe', 'pipe']
    })
    this.child = child
    this.exitPromise = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
    let buffered = ''
    child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      buffered += text
      let newline: number
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline)
        buffered = buffered.slice(newline + 1)
        let parsed: Record<string, unknown>
        try { parsed = JSON.parse(line) as Record<string, unknown> } catch { parsed = { raw: line } }
        this.lines.push(parsed)
        this.waiters = this.waiters.filter((w) => { if (w.test(parsed)) { w.resolve(); return false } return true })
      }
    })
    child.stderr?.setEncoding('utf8').on('data', (text: string) => { this.stderr += text })
    for (let i = 0; i < workers; i++) {
      await this.waitForLog((l) => l.msg === 'worker serving config version' && l.version === 1, timeoutMs, i + 1)
    }
  }

  /** Resolves when `count` log lines matching `test` were printed (counting earlier ones). */
  waitForLog (test: (line: Record<string, unknown>) => boolean, timeoutMs = 10_000, count = 1): Promise<void> {
    if (this.lines.filter(test).length >= count) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line; stderr: ${this.stderr.slice(-2000)}; last lines: ${JSON.stringify(this.lines.slice(-5))}`)), timeoutMs)
      const waiter = {
        test: (line: Record<string, unknown>) => test(line) && this.lines.filter(test).length >= count,
        resolve: () => { clearTimeout(timer); resolve() }
      }
      this.waiters.push(waiter)
      this.exitPromise?.then((code) => { clearTimeout(timer); reject(new Error(`gateway exited (${code}) while waiting; stderr: ${this.stderr.slice(-2000)}`)) }, () => {})
    })
  }

  signal (name: NodeJS.Signals): void {
    this.child?.kill(name)
  }

  /** Resolves with the exit code once the process ended. */
  exited (): Promise<number | null> {
    return this.exitPromise ?? Promise.resolve(null)
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 s) and removes its folder. */
  async stop (): Promise<number | null> {
    const child = this.child
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await this.exited()
      clearTimeout(timer)
    }
    rmSync(this.dir, { recursive: true, force: true })
    return child?.exitCode ?? null
  }
}
