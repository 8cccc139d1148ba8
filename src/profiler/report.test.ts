import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { phaseOfFrame, pluginOfUrl } from './attribution.js'
import { mergeWorkerProfiles } from './merge.js'
import { buildReport } from './report.js'
import { frame, requestPathProfile } from './test-profiles.js'

describe('plugin and phase attribution', () => {
  it('names the plugin of a frame from its folder, in dist or src, and a third-party plugin file', () => {
    assert.equal(pluginOfUrl('file:///srv/tollgate/dist/src/plugins/key-auth/handler.js'), 'key-auth')
    assert.equal(pluginOfUrl('file:///home/me/tollgate/src/plugins/rate-limit/policies/redis.ts'), 'rate-limit')
    assert.equal(pluginOfUrl('file:///etc/tollgate/plugins/teapot.mjs'), 'teapot')
    assert.equal(pluginOfUrl('file:///srv/tollgate/dist/src/plugins/_shared/credential.js'), undefined)
    assert.equal(pluginOfUrl('file:///srv/tollgate/node_modules/x/plugins/y/index.js'), undefined)
    assert.equal(pluginOfUrl('node:internal/http'), undefined)
  })

  it('reads the phase from plugin methods, the filters and the caller of enterPhase', () => {
    const dist = 'file:///t/dist/src'
    assert.equal(phaseOfFrame(frame('access', `${dist}/plugins/key-auth/handler.js`), undefined), 'access')
    assert.equal(phaseOfFrame(frame('findApiKey', `${dist}/plugins/key-auth/handler.js`), undefined), undefined)
    assert.equal(phaseOfFrame(frame('runHeaderFilters', `${dist}/pipeline/filters.js`), undefined), 'headerFilter')
    assert.equal(phaseOfFrame(frame('enterPhase', `${dist}/pipeline/handle-request.js`), frame('afterRewrite', `${dist}/pipeline/handle-request.js`)), 'access')
    assert.equal(phaseOfFrame(frame('enterPhase', `${dist}/pipeline/handle-request.js`), frame('handleRequest', `${dist}/pipeline/handle-request.js`)), 'rewrite')
    assert.equal(phaseOfFrame(frame('write', `${dist}/proxy/exchange.js`), undefined), 'proxy')
    assert.equal(phaseOfFrame(frame('access', 'node:internal/fs'), undefined), undefined)
  })
})

describe('buildReport', () => {
  const report = buildReport(mergeWorkerProfiles([{ pid: 7, profile: requestPathProfile() }]))

  it('separates idle from busy time', () => {
    assert.equal(report.samples, 10)
    assert.equal(report.idleMs, 3)
    assert.equal(report.busyMs, 7)
    assert.deepEqual(report.workers, [{ pid: 7, samples: 10, busyMs: 7 }])
  })

  it('lists self and total time per plugin', () => {
    const keyAuth = report.plugins.find((p) => p.name === 'key-auth')
    // access (1 sample) + findApiKey (2 samples), all key-auth's own code
    assert.deepEqual(keyAuth, { name: 'key-auth', selfMs: 3, totalMs: 3, selfPercent: 42.9, totalPercent: 42.9 })
    assert.equal(report.plugins.find((p) => p.name === 'access-log')?.totalMs, 1)
  })

  it('lists self and total time per phase', () => {
    // key-auth's access method and findApiKey under it: access. runPhase under handleRequest's
    // enterPhase: rewrite. GC and handleRequest's own time: outside phases.
    const phases = Object.fromEntries(report.phases.map((p) => [p.name, [p.selfMs, p.totalMs]]))
    assert.deepEqual(phases, { access: [3, 3], rewrite: [1, 1], log: [1, 1], '(outside phases)': [1, 2] })
  })

  it('ranks frames by self time with their location and plugin', () => {
    assert.deepEqual(report.topFrames[0], { functionName: 'findApiKey', location: 'dist/src/plugins/key-auth/handler.js:34', plugin: 'key-auth', selfMs: 2, selfPercent: 28.6 })
    assert.ok(report.topFrames.every((f) => f.functionName !== '(idle)'))
  })
})
