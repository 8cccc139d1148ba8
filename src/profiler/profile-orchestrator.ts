import { tmpdir } from 'node:os'
import { GatewayError } from '../errors.js'
import type { CpuProfile } from './cpuprofile.js'
import { mergeWorkerProfiles, type WorkerProfile } from './merge.js'
import type { ProfilerReply, ProfilerRequest } from './messages.js'

/** A worker as the orchestrator sees it: its pid and a way to message it. */
export interface ProfiledWorker {
  readonly pid: number
  send (message: ProfilerRequest): void
}

/** What to profile: how long, which workers, how often to sample. */
export interface ProfileOptions {
  readonly seconds: number
  /** `'all'` or one worker's pid. */
  readonly worker: 'all' | number
  readonly intervalUs: number
}

/** A merged profile, and the workers that could not send theirs (they are left out of it). */
export interface ProfileOutcome {
  readonly profile: CpuProfile
  readonly workers: readonly number[]
  readonly failed: ReadonlyArray<{ pid: number, reason: string }>
}

/** Limits of a profile request; checked where the request comes in (see `readProfileOptions`). */
export const PROFILE_LIMITS = {
  minSeconds: 0.1,
  maxSeconds: 300,
  /** 1 ms, as `node --cpu-prof`: about 1 % of a busy worker (docs/profiling.md has the figures). */
  defaultIntervalUs: 1000,
  minIntervalUs: 50,
  maxIntervalUs: 100_000
} as const

/** How long a worker may take beyond the profile's own length before it is given up on. */
const REPLY_GRACE_MS = 15_000

interface Pending {
  readonly pid: number
  readonly settle: (reply: ProfilerReply | { error: string }) => void
}

/**
 * Runs on the primary: asks workers for CPU profiles or heap snapshots over IPC, collects the
 * answers by request id and merges profiles into one. One profile at a time per node: a second
 * request while one runs is refused with TG_PROFILE_BUSY (409).
 */
export class ProfileOrchestrator {
  private nextId = 1
  private profiling = false
  private readonly pending = new Map<number, Pending>()
  private readonly listWorkers: () => readonly ProfiledWorker[]
  private readonly heapDir: string

  constructor (listWorkers: () => readonly ProfiledWorker[], heapDir: string = tmpdir()) {
    this.listWorkers = listWorkers
    this.heapDir = heapDir
  }

  get busy (): boolean {
    return this.profiling
  }

  /** Profiles the chosen workers for `options.seconds` and merges their profiles. */
  async profile (options: ProfileOptions): Promise<ProfileOutcome> {
    if (this.profiling) throw new GatewayError('TG_PROFILE_BUSY')
    const chosen = this.choose(options.worker)
    this.profiling = true
    try {
      const timeoutMs = options.seconds * 1000 + REPLY_GRACE_MS
      const replies = await Promise.all(chosen.map(async (worker) => ({
        pid: worker.pid,
        reply: await this.ask(worker, (id) => ({ type: 'profile', id, seconds: options.seconds, intervalUs: options.intervalUs }), timeoutMs)
      })))
      const parts: WorkerProfile[] = []
      const failed: Array<{ pid: number, reason: string }> = []
      for (const { pid, reply } of replies) {
        if ('type' in reply && reply.type === 'profile-result' && reply.profile !== undefined) parts.push({ pid, profile: reply.profile })
        else failed.push({ pid, reason: reply.error ?? 'no profile in the answer' })
      }
      if (parts.length === 0) throw new GatewayError('TG_DEBUG_FAILED', `no worker sent a profile: ${failed.map((f) => `${f.pid}: ${f.reason}`).join('; ')}`)
      return { profile: mergeWorkerProfiles(parts), workers: parts.map((p) => p.pid), failed }
    } finally {
      this.profiling = false
    }
  }

  /** Has one worker write a heap snapshot into the heap folder; resolves with the file's path. */
  async heapSnapshot (pid: number): Promise<string> {
    const [worker] = this.choose(pid)
    const reply = await this.ask(worker as ProfiledWorker, (id) => ({ type: 'heap-snapshot', id, dir: this.heapDir }), 5 * 60_000)
    if ('type' in reply && reply.type === 'heap-snapshot-result' && reply.path !== undefined) return reply.path
    throw new GatewayError('TG_DEBUG_FAILED', `worker ${pid} wrote no heap snapshot: ${reply.error ?? 'no path in the answer'}`)
  }

  /** Hands a worker's answer to the request waiting for it (primary's message handler calls this). */
  onReply (reply: ProfilerReply): void {
    this.pending.get(reply.id)?.settle(reply)
  }

  /** A worker exited: whatever it was asked is answered with a failure (primary's exit handler calls this). */
  onWorkerExit (pid: number): void {
    for (const entry of [...this.pending.values()]) {
      if (entry.pid === pid) entry.settle({ error: `worker ${pid} exited` })
    }
  }

  private choose (worker: 'all' | number): ProfiledWorker[] {
    const workers = this.listWorkers()
    if (worker === 'all') {
      if (workers.length === 0) throw new GatewayError('TG_DEBUG_FAILED', 'no worker is running')
      return [...workers]
    }
    const found = workers.find((w) => w.pid === worker)
    if (found === undefined) throw new GatewayError('TG_DEBUG_WORKER_UNKNOWN', `no running worker has pid ${worker}; running: ${workers.map((w) => w.pid).join(', ')}`)
    return [found]
  }

  private ask (worker: ProfiledWorker, build: (id: number) => ProfilerRequest, timeoutMs: number): Promise<ProfilerReply | { error: string }> {
    const id = this.nextId++
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle({ error: `worker ${worker.pid} did not answer within ${timeoutMs} ms` }), timeoutMs)
      const settle = (reply: ProfilerReply | { error: string }): void => {
        clearTimeout(timer)
        this.pending.delete(id)
        resolve(reply)
      }
      this.pending.set(id, { pid: worker.pid, settle })
      try {
        worker.send(build(id))
      } catch (error) {
        settle({ error: `could not message worker ${worker.pid}: ${(error as Error).message}` })
      }
    })
  }
}
