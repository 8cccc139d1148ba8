import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { GatewayError } from '../errors.js'
import { profileProblems } from './cpuprofile.js'
import type { ProfilerRequest } from './messages.js'
import { ProfileOrchestrator, type ProfiledWorker } from './profile-orchestrator.js'
import { answerProfilerRequest } from './worker-profiler.js'

/**
 * Workers that answer through the real worker-side code in this process (the IPC hop is left
 * out; the integration test covers it). `silent` pids never answer, as a worker that hangs.
 */
function inProcessWorkers (orchestrator: () => ProfileOrchestrator, pids: number[], silent: number[] = []): ProfiledWorker[] {
  return pids.map((pid) => ({
    pid,
    send: (message: ProfilerRequest) => {
      if (silent.includes(pid)) return
      answerProfilerRequest(message, (reply) => orchestrator().onReply(reply))
    }
  }))
}

describe('ProfileOrchestrator', () => {
  it('profiles a worker and merges its profile under its pid', async () => {
    const orchestrator: ProfileOrchestrator = new ProfileOrchestrator(() => inProcessWorkers(() => orchestrator, [11]))
    const outcome = await orchestrator.profile({ seconds: 0.2, worker: 'all', intervalUs: 500 })
    assert.deepEqual(profileProblems(outcome.profile), [])
    assert.deepEqual(outcome.workers, [11])
    assert.ok(outcome.profile.nodes.some((n) => n.callFrame.functionName === 'worker 11'))
  })

  it('refuses a second profile while one runs with TG_PROFILE_BUSY', async () => {
    const orchestrator: ProfileOrchestrator = new ProfileOrchestrator(() => inProcessWorkers(() => orchestrator, [11]))
    const first = orchestrator.profile({ seconds: 0.3, worker: 'all', intervalUs: 1000 })
    await assert.rejects(orchestrator.profile({ seconds: 0.3, worker: 'all', intervalUs: 1000 }),
      (error: unknown) => error instanceof GatewayError && error.code === 'TG_PROFILE_BUSY' && error.status === 409)
    await first
    assert.equal(orchestrator.busy, false)
  })

  it('answers an unknown pid with TG_DEBUG_WORKER_UNKNOWN', async () => {
    const orchestrator: ProfileOrchestrator = new ProfileOrchestrator(() => inProcessWorkers(() => orchestrator, [11]))
    await assert.rejects(orchestrator.profile({ seconds: 0.1, worker: 999, intervalUs: 1000 }),
      (error: unknown) => error instanceof GatewayError && error.code === 'TG_DEBUG_WORKER_UNKNOWN')
  })

  it('leaves out a worker that exits while profiled and returns the others', async () => {
    const orchestrator: ProfileOrchestrator = new ProfileOrchestrator(() => inProcessWorkers(() => orchestrator, [11, 12], [12]))
    const pending = orchestrator.profile({ seconds: 0.3, worker: 'all', intervalUs: 1000 })
    setTimeout(() => orchestrator.onWorkerExit(12), 50)
    const outcome = await pending
    assert.deepEqual(outcome.workers, [11])
    assert.deepEqual(outcome.failed, [{ pid: 12, reason: 'worker 12 exited' }])
  })
})
