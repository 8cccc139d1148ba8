import type { CpuProfile } from './cpuprofile.js'

/** Profiler requests the primary sends a worker (joined into `ToWorker`). */
export type ProfilerRequest =
  | { type: 'profile', id: number, seconds: number, intervalUs: number }
  | { type: 'heap-snapshot', id: number, dir: string }

/** A worker's answers (joined into `ToPrimary`); `error` is set when it could not do it. */
export type ProfilerReply =
  | { type: 'profile-result', id: number, profile?: CpuProfile, error?: string }
  | { type: 'heap-snapshot-result', id: number, path?: string, error?: string }

export function isProfilerReply (message: { type: string }): message is ProfilerReply {
  return message.type === 'profile-result' || message.type === 'heap-snapshot-result'
}

export function isProfilerRequest (message: { type: string }): message is ProfilerRequest {
  return message.type === 'profile' || message.type === 'heap-snapshot'
}
