// Shared by the idempotency suites (worker store and Redis): an order upstream and request helpers.
import type { ServerResponse } from 'node:http'
import { request, type TestResponse } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

/** An upstream that numbers its answers and holds `/orders/slow` until the test lets it go. */
export function orderUpstream (): { upstream: UpstreamServer, held: ServerResponse[], calls: () => number } {
  let calls = 0
  const held: ServerResponse[] = []
  const upstream = new UpstreamServer((req, res) => {
    calls++
    if (req.url === '/orders/slow') { held.push(res); return }
    const body = `{"order":${calls},"url":"${req.url ?? ''}"}`
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-order': String(calls) })
    res.end(body)
  })
  return { upstream, held, calls: () => calls }
}

export function postOrder (port: number, path: string, key: string, body = '{"sku":"A-1","qty":1}'): Promise<TestResponse> {
  return request(port, { method: 'POST', path, headers: { 'content-type': 'application/json', 'idempotency-key': key }, body })
}

export async function waitUntil (condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

