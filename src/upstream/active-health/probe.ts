import type { Target } from '../transport/transport.js'

/** The target one check goes to: its address and, when resolved from one, its host name. */
export type ProbeTarget = Pick<Target, 'id' | 'host' | 'port' | 'hostName'>

/**
 * One check of one target in a service's protocol: resolves with undefined when it passed, else
 * with why it failed (`status 503`, `NOT_SERVING`, `no answer in 1000 ms`, `ECONNREFUSED`…); never
 * rejects. The whole check, connect to answer, must finish in `timeoutMs`.
 */
export type TargetProbe = (target: ProbeTarget, timeoutMs: number) => Promise<string | undefined>

/** The failure reason of a check that got no answer in time. */
export function noAnswerIn (timeoutMs: number): string {
  return `no answer in ${timeoutMs} ms`
}
