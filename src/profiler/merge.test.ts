import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { profileProblems, sampleWeightsUs } from './cpuprofile.js'
import { mergeWorkerProfiles } from './merge.js'
import { requestPathProfile } from './test-profiles.js'

describe('mergeWorkerProfiles', () => {
  const a = requestPathProfile(1_000_000)
  const b = requestPathProfile(1_000_500) // sampled at the same time, on another process
  const merged = mergeWorkerProfiles([{ pid: 101, profile: a }, { pid: 202, profile: b }])

  it('gives a valid profile with unique ids and one root', () => {
    assert.deepEqual(profileProblems(merged), [])
    assert.equal(merged.nodes.length, 1 + 2 * a.nodes.length)
  })

  it('hangs each worker under a node named after its pid', () => {
    const root = merged.nodes[0]
    const names = root?.children?.map((id) => merged.nodes.find((n) => n.id === id)?.callFrame.functionName)
    assert.deepEqual(names, ['worker 101', 'worker 202'])
  })

  it('keeps every sample and its duration, laying the workers end to end', () => {
    assert.equal(merged.samples.length, a.samples.length + b.samples.length)
    const weights = [...sampleWeightsUs(merged)]
    assert.equal(weights.reduce((x, y) => x + y, 0), 2 * (a.endTime - a.startTime) - 1000)
    assert.equal(merged.endTime - merged.startTime, (a.endTime - a.startTime) + (b.endTime - b.startTime))
    assert.ok(merged.timeDeltas.every((d) => d >= 0))
  })

  it('maps each sample to the copy of its node', () => {
    const names = merged.samples.map((id) => merged.nodes.find((n) => n.id === id)?.callFrame.functionName)
    const once = a.samples.map((id) => a.nodes.find((n) => n.id === id)?.callFrame.functionName)
    assert.deepEqual(names, [...once, ...once])
  })

  it('refuses an empty list', () => {
    assert.throws(() => mergeWorkerProfiles([]), /at least one/)
  })
})
