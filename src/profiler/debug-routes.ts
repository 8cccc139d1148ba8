import { errorBody, GatewayError } from '../errors.js'
import { PROFILE_LIMITS, type ProfileOptions, type ProfileOrchestrator } from './profile-orchestrator.js'
import { PROFILE_FORMATS, renderProfile, type ProfileFormat } from './profile-formats.js'

/** The parts of a status request the debug routes read. */
export interface DebugRequest {
  readonly query: URLSearchParams
  /** The request id error bodies carry. */
  readonly id: string
}

export interface DebugReply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: unknown
}

/** Where the routes are added: the status listener (src/status/), which checks the token for /debug/. */
export interface DebugRouteTarget {
  route (method: string, path: string, handler: (request: DebugRequest) => Promise<DebugReply>, options?: { token?: boolean }): unknown
}

/** A profile request's query: `seconds`, `worker`, `format`, `interval_us`; every problem named. */
export function readProfileQuery (query: URLSearchParams): ProfileOptions & { format: ProfileFormat } {
  const problems: string[] = []
  const seconds = Number(query.get('seconds') ?? '10')
  if (!Number.isFinite(seconds) || seconds < PROFILE_LIMITS.minSeconds || seconds > PROFILE_LIMITS.maxSeconds) {
    problems.push(`seconds must be a number from ${PROFILE_LIMITS.minSeconds} to ${PROFILE_LIMITS.maxSeconds}`)
  }
  const intervalUs = Number(query.get('interval_us') ?? String(PROFILE_LIMITS.defaultIntervalUs))
  if (!Number.isInteger(intervalUs) || intervalUs < PROFILE_LIMITS.minIntervalUs || intervalUs > PROFILE_LIMITS.maxIntervalUs) {
    problems.push(`interval_us must be a whole number from ${PROFILE_LIMITS.minIntervalUs} to ${PROFILE_LIMITS.maxIntervalUs}`)
  }
  const workerText = query.get('worker') ?? 'all'
  const worker = workerText === 'all' ? 'all' : readPid(workerText)
  if (worker === undefined) problems.push("worker must be 'all' or a worker's pid")
  const format = (query.get('format') ?? 'cpuprofile') as ProfileFormat
  if (!PROFILE_FORMATS.includes(format)) problems.push(`format must be one of ${PROFILE_FORMATS.join(', ')}`)
  if (problems.length > 0) throw new GatewayError('TG_DEBUG_BAD_REQUEST', problems.join('; '))
  return { seconds, intervalUs, worker: worker as 'all' | number, format }
}

function readPid (text: string): number | undefined {
  const pid = Number(text)
  return /^\d+$/.test(text) && Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

/** Answers a GatewayError with its catalog status and code; anything else propagates (a 500). */
async function answering (request: DebugRequest, work: () => Promise<DebugReply>): Promise<DebugReply> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error
    return { status: error.status, headers: { 'content-type': 'application/json' }, body: errorBody(error.code, request.id, error.message) }
  }
}

/**
 * `POST /debug/profile?seconds=N&worker=all|<pid>&format=cpuprofile|html|json-report&interval_us=U`
 * and `POST /debug/heap?worker=<pid>` on the status listener (token required there for /debug/).
 */
export function addDebugRoutes (status: DebugRouteTarget, profiler: ProfileOrchestrator): void {
  status.route('POST', '/debug/profile', (request) => answering(request, async () => {
    const options = readProfileQuery(request.query)
    const takenAt = new Date()
    const outcome = await profiler.profile(options)
    const rendered = renderProfile(outcome.profile, options.format, { ...options, takenAt, workers: outcome.workers, failed: outcome.failed })
    const headers: Record<string, string> = {
      'content-type': rendered.contentType,
      'content-disposition': `attachment; filename="${rendered.fileName}"`,
      'x-tollgate-profiled-workers': outcome.workers.join(',')
    }
    if (outcome.failed.length > 0) headers['x-tollgate-failed-workers'] = outcome.failed.map((f) => f.pid).join(',')
    return { headers, body: rendered.body }
  }), { token: true })

  status.route('POST', '/debug/heap', (request) => answering(request, async () => {
    const pid = readPid(request.query.get('worker') ?? '')
    if (pid === undefined) throw new GatewayError('TG_DEBUG_BAD_REQUEST', "worker must be a worker's pid (one worker at a time: a snapshot stops it while it is written)")
    return { body: { worker: pid, path: await profiler.heapSnapshot(pid) } }
  }), { token: true })
}
