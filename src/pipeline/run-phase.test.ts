import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import { HeaderList } from '../kit/headers.js'
import { definePlugin } from '../kit/plugin.js'
import { silentLogger } from '../observability/log.js'
import type { ResponseSink } from '../server/ingress/ingress.js'
import { buildChain, type CompiledBinding } from './chain.js'
import { RequestContext, RequestView } from './context.js'
import { runPhase } from './run-phase.js'

function binding (name: string, priority: number, access: () => unknown): CompiledBinding {
  const plugin = definePlugin({ name, version: '1', priority, schema: Type.Object({}), access: access as () => undefined })
  return { id: name, name, plugin, state: {}, priority, enabled: true }
}

function context (bindings: CompiledBinding[]): RequestContext {
  const request = new RequestView({
    id: 'r', method: 'GET', path: '/', query: '', headers: new HeaderList(), host: '', scheme: 'http',
    clientIp: '', peerIp: '', httpVersion: '1.1', body: null, bodyLength: 0, maxBodyBytes: 0
  })
  return new RequestContext(request, {} as ResponseSink, silentLogger, buildChain(bindings))
}

describe('runPhase', () => {
  it('returns synchronously (no promise) when every handler is synchronous', () => {
    const order: string[] = []
    const ctx = context([binding('b', 10, () => { order.push('b') }), binding('a', 10, () => { order.push('a') }), binding('c', 20, () => { order.push('c') })])
    const outcome = runPhase(ctx, 'access')
    assert.equal(outcome, undefined)
    assert.deepEqual(order, ['c', 'a', 'b'], 'higher priority first, ties by name')
  })

  it('stops at the first reply', () => {
    const ran: string[] = []
    const ctx = context([binding('first', 2, () => ({ code: 'TG_RATE_LIMITED' })), binding('second', 1, () => { ran.push('second') })])
    assert.deepEqual(runPhase(ctx, 'access'), { code: 'TG_RATE_LIMITED' })
    assert.deepEqual(ran, [])
  })

  it('continues after a promise with the remaining steps', async () => {
    const ran: string[] = []
    const ctx = context([
      binding('async', 3, () => Promise.resolve(undefined)),
      binding('after', 2, () => { ran.push('after') }),
      binding('reply', 1, () => ({ code: 'TG_INTERNAL' }))
    ])
    const outcome = runPhase(ctx, 'access')
    assert.ok(outcome instanceof Promise)
    assert.deepEqual(await outcome, { code: 'TG_INTERNAL' })
    assert.deepEqual(ran, ['after'])
  })

  it('turns a throw into TG_PLUGIN_FAILED', () => {
    const ctx = context([binding('bad', 1, () => { throw new Error('x') })])
    assert.deepEqual(runPhase(ctx, 'access'), { code: 'TG_PLUGIN_FAILED' })
  })
})
