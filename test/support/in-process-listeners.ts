import assert from 'node:assert/strict'
import { validateConfig, type ValidateOptions } from '../../src/config/validate.js'
import { silentLogger } from '../../src/observability/log.js'
import { handleRequest } from '../../src/pipeline/handle-request.js'
import { ListenerSet } from '../../src/server/listener-set.js'
import type { InProcessGateway } from '../../src/testing/inject.js'

/**
 * `gateway.listeners` for openIngressListeners: one per ingress on loopback, free ports, answering
 * half-closed clients (so a test may send FIN after its request and still read the answer).
 */
export const BOTH_INGRESS_LISTENERS = [
  { name: 'fast-h1', host: '127.0.0.1', port: 0, ingress: 'fast-h1', half_close: 'answer' },
  { name: 'node', host: '127.0.0.1', port: 0, ingress: 'node', half_close: 'answer' }
]

/**
 * Opens the listeners of `config` in this process in front of `gateway`'s pipeline, so a test can
 * look at the gateway's state (log records, balancer counts) while clients use real sockets. The
 * config's listeners are BOTH_INGRESS_LISTENERS; resolves with the port of each ingress.
 */
export async function openIngressListeners (gateway: InProcessGateway, config: unknown, pluginSchema: ValidateOptions['pluginSchema']): Promise<{ listeners: ListenerSet, ports: Record<'fast-h1' | 'node', number> }> {
  const validated = validateConfig(config, { file: 'inject', baseDir: process.cwd(), pluginSchema })
  if (!validated.ok) assert.fail(JSON.stringify(validated.problems))
  const listeners = new ListenerSet(validated.config, (incoming, sink) => { handleRequest(gateway, incoming, sink) }, silentLogger)
  const [fastH1, node] = await listeners.open()
  assert.deepEqual([...listeners.ingressInUse.values()], ['fast-h1', 'node'])
  return { listeners, ports: { 'fast-h1': fastH1 as number, node: node as number } }
}
