import assert from 'node:assert/strict'
import http from 'node:http'
import { test } from 'node:test'
import type { GatewayConfig } from '../config/gateway-config.js'
import { validateConfig } from '../config/validate.js'
import { fakePluginSchema } from '../config/testing/fixtures.js'
import { ingressFallbacks } from '../metrics/ingress-metrics.js'
import { recordingLogger } from '../../test/support/plugin-context.js'
import { ListenerSet } from './listener-set.js'
import type { RequestHandler } from './ingress/listener-limits.js'

function configWith (ingress: 'fast-h1' | 'node' | undefined, name: string): GatewayConfig {
  const result = validateConfig({
    gateway: { listeners: [{ name, host: '127.0.0.1', port: 0, ...(ingress === undefined ? {} : { ingress }) }] },
    services: [{ id: 'backend', targets: [{ host: '127.0.0.1', port: 9 }] }],
    routes: [{ id: 'all', service: 'backend', paths: ['/*'] }]
  }, { file: 'tollgate.yaml', baseDir: '/tmp', pluginSchema: fakePluginSchema })
  if (!result.ok) assert.fail(JSON.stringify(result.problems))
  return result.config
}

/** Answers every request with its method and target (what the listener handed over). */
const echo: RequestHandler = (request, sink) => {
  sink.writeHead(200, ['content-type', 'text/plain'])
  sink.end(`${request.method} ${request.target}`)
}

function get (port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/x?y=1', agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve(body))
    }).on('error', reject)
  })
}

void test('fast-h1 is the default ingress of a listener', async () => {
  const listeners = new ListenerSet(configWith(undefined, 'default'), echo, recordingLogger())
  assert.equal(listeners.ingressInUse.get('default'), 'fast-h1')
  const [port] = await listeners.open()
  try {
    assert.equal(await get(port as number), 'GET /x?y=1')
  } finally {
    listeners.stopAccepting()
    listeners.closeAll()
  }
})

void test('without the internal parser module the listener falls back to node, says so at warn and counts it', async () => {
  const log = recordingLogger()
  const before = ingressFallbacks.series('fallback-missing', 'module-missing').value
  const listeners = new ListenerSet(configWith('fast-h1', 'fallback-missing'), echo, log, {
    loadModule: () => { throw new Error("Cannot find module '_http_common'") }
  })
  assert.equal(listeners.ingressInUse.get('fallback-missing'), 'node')
  assert.equal(ingressFallbacks.series('fallback-missing', 'module-missing').value, before + 1)
  const warning = log.records.find((r) => r.level === 'warn')
  assert.ok(warning !== undefined)
  assert.match(warning.msg ?? '', /fast-h1 ingress unavailable/)
  assert.deepEqual({ ...warning.obj, detail: undefined }, { listener: 'fallback-missing', reason: 'module-missing', detail: undefined })
  const [port] = await listeners.open()
  try {
    assert.equal(await get(port as number), 'GET /x?y=1', 'the node ingress serves instead')
  } finally {
    listeners.stopAccepting()
    listeners.closeAll()
  }
})

void test('a parser that accepts an attack makes the listener fall back too', () => {
  const log = recordingLogger()
  const listeners = new ListenerSet(configWith('fast-h1', 'fallback-lenient'), echo, log, {
    loadModule: () => {
      class Lenient {
        static REQUEST = 1
        static kOnMessageBegin = 0
        static kOnHeaders = 1
        static kOnHeadersComplete = 2
        static kOnBody = 3
        static kOnMessageComplete = 4
        static kOnExecute = 5
        static kLenientNone = 0
        initialize (): void {}
        /** Accepts anything as one bodyless GET. */
        execute (data: Buffer): number {
          const self = this as unknown as Record<number, (...args: unknown[]) => void>
          self[2]?.(1, 1, [], 1, '/', undefined, undefined, false, true)
          self[4]?.()
          return data.length
        }

        close (): void {}
      }
      return { HTTPParser: Lenient, methods: ['DELETE', 'GET'] }
    }
  })
  assert.equal(listeners.ingressInUse.get('fallback-lenient'), 'node')
  assert.equal(ingressFallbacks.series('fallback-lenient', 'self-test-failed').value, 1)
  assert.match(log.records.map((r) => JSON.stringify(r.obj)).join('\n'), /self-test-failed/)
})

void test('a listener set to node uses node without running the self-test', () => {
  const listeners = new ListenerSet(configWith('node', 'plain-node'), echo, recordingLogger(), {
    loadModule: () => { throw new Error('must not be called') }
  })
  assert.equal(listeners.ingressInUse.get('plain-node'), 'node')
})
