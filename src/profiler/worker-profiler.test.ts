import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { profileProblems } from './cpuprofile.js'
import { profileThisProcess } from './worker-profiler.js'

// Keeps the thread busy in a function with a name to look for, yielding so timers still run.
function spinForTheProfiler (until: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (): void => {
      const end = Date.now() + 5
      let x = 0
      while (Date.now() < end) x += Math.sqrt(x + 1)
      if (Date.now() < until) setImmediate(step)
      else resolve()
    }
    step()
  })
}

describe('profileThisProcess', () => {
  it('samples this thread while it keeps running and returns a valid profile', async () => {
    const profiling = profileThisProcess(0.4, 200)
    await spinForTheProfiler(Date.now() + 300)
    const profile = await profiling
    assert.deepEqual(profileProblems(profile), [])
    assert.ok(profile.samples.length > 0)
    assert.ok(profile.nodes.some((n) => n.callFrame.functionName === 'step' || n.callFrame.functionName === 'spinForTheProfiler'),
      'the busy function is among the frames')
  })

  it('refuses a second profile while one runs', async () => {
    const first = profileThisProcess(0.2, 1000)
    await assert.rejects(profileThisProcess(0.2, 1000), /already running/)
    await first
  })
})
