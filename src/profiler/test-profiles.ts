// Small hand-made profiles for the profiler's unit tests (not loaded by the gateway).
import type { CallFrame, CpuProfile } from './cpuprofile.js'

export function frame (functionName: string, url = '', lineNumber = 0): CallFrame {
  return { functionName, scriptId: '1', url, lineNumber, columnNumber: 0 }
}

const DIST = 'file:///srv/tollgate/dist/src'

/**
 * One worker's request path: handleRequest → enterPhase → runPhase → key-auth `access` →
 * findApiKey; a log phase with access-log; idle. Every sample is 1000 µs apart.
 */
export function requestPathProfile (startTime = 1_000_000): CpuProfile {
  return {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 9] },
      { id: 2, callFrame: frame('(idle)') },
      { id: 3, callFrame: frame('handleRequest', `${DIST}/pipeline/handle-request.js`, 30), children: [4, 7] },
      { id: 4, callFrame: frame('enterPhase', `${DIST}/pipeline/handle-request.js`, 90), children: [5] },
      { id: 5, callFrame: frame('runPhase', `${DIST}/pipeline/run-phase.js`, 20), children: [6] },
      { id: 6, callFrame: frame('access', `${DIST}/plugins/key-auth/handler.js`, 83), children: [8] },
      { id: 7, callFrame: frame('finishRequest', `${DIST}/pipeline/finish.js`, 10), children: [10] },
      { id: 8, callFrame: frame('findApiKey', `${DIST}/plugins/key-auth/handler.js`, 33) },
      { id: 9, callFrame: frame('(garbage collector)') },
      { id: 10, callFrame: frame('log', `${DIST}/plugins/access-log/handler.js`, 40) }
    ],
    startTime,
    // samples: idle, idle, access, findApiKey, findApiKey, runPhase, log, gc, idle, handleRequest
    samples: [2, 2, 6, 8, 8, 5, 10, 9, 2, 3],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    endTime: startTime + 11_000
  }
}
