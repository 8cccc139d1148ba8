import { Session } from 'node:inspector/promises'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import type { CpuProfile } from './cpuprofile.js'
import type { ProfilerReply, ProfilerRequest } from './messages.js'

let profiling = false

/**
 * Samples this process with V8's CPU profiler for `seconds`. The sampler runs on its own thread
 * and only interrupts this one to record a stack, so the worker keeps serving meanwhile.
 * Refuses a second profile while one runs (the primary already allows one per node; this guards
 * against a message sent twice).
 */
export async function profileThisProcess (seconds: number, intervalUs: number): Promise<CpuProfile> {
  if (profiling) throw new Error('a profile is already running in this worker')
  profiling = true
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    // Must be set before start; V8 keeps it for the session.
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
    await session.post('Profiler.start')
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    const { profile } = await session.post('Profiler.stop')
    return profile as CpuProfile
  } finally {
    profiling = false
    session.disconnect()
  }
}

/**
 * Writes a heap snapshot of this process into `dir` and returns its path. The worker stops
 * serving while V8 walks the heap (about a second per 100 MB of heap).
 */
export function snapshotThisHeap (dir: string): string {
  return writeHeapSnapshot(join(dir, `tollgate-heap-${process.pid}-${Date.now()}.heapsnapshot`))
}

/** Carries out a profiler request from the primary and sends the answer back with its id. */
export function answerProfilerRequest (request: ProfilerRequest, send: (reply: ProfilerReply) => void): void {
  if (request.type === 'profile') {
    profileThisProcess(request.seconds, request.intervalUs).then(
      (profile) => send({ type: 'profile-result', id: request.id, profile }),
      (error: unknown) => send({ type: 'profile-result', id: request.id, error: (error as Error).message }))
    return
  }
  try {
    send({ type: 'heap-snapshot-result', id: request.id, path: snapshotThisHeap(request.dir) })
  } catch (error) {
    send({ type: 'heap-snapshot-result', id: request.id, error: (error as Error).message })
  }
}
