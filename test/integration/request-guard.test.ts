import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { INGRESS_KINDS } from '../support/configs.js'
import type { GatewayProcess } from '../support/gateway-process.js'
import { firstStatus, rawExchange, request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'

/** A chunked POST head followed by `chunks`, each framed as one chunk, and the last chunk. */
function chunkedPost (path: string, chunks: string[]): string {
  let out = `POST ${path} HTTP/1.1\r\nHost: gw.test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`
  for (const chunk of chunks) out += `${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`
  return out + '0\r\n\r\n'
}

for (const ingress of INGRESS_KINDS) {
  describe(`request-guard in a real gateway (${ingress} ingress)`, () => {
    const upstream = new UpstreamServer()
    let gateway: GatewayProcess
    let port: number

    before(async () => {
      ({ gateway, port } = await startSuiteGateway(upstream, {
        ingress,
        routes: [{ id: 'guarded', service: 'backend', paths: ['/guarded/*'] }],
        plugins: [{
          name: 'request-guard',
          route: 'guarded',
          config: {
            allowed_methods: ['GET', 'POST'],
            max_body_bytes: 64,
            max_url_bytes: 64,
            allowed_content_types: ['application/json'],
            deny_user_agents: ['^evilbot']
          }
        }]
      }))
    })

    after(() => stopSuiteGateway(gateway, upstream))

    it('streams a chunked body within the limit to the upstream', async () => {
      const raw = await rawExchange(port, chunkedPost('/guarded/small', ['{"a":', '"0123456789"}']), 2000)
      assert.equal(firstStatus(raw), 200)
      const seen = upstream.seen.find((s) => s.url === '/guarded/small')
      assert.equal(seen?.body.toString(), '{"a":"0123456789"}')
    })

    it('answers 413 to a chunked body that passes max_body_bytes, and the upstream never gets it whole', async () => {
      const chunk = '"' + 'x'.repeat(38) + '",'
      const raw = await rawExchange(port, chunkedPost('/guarded/big', ['[', chunk, chunk, chunk, '0]']))
      assert.equal(firstStatus(raw), 413)
      assert.match(raw, /"code":"TG_REQUEST_BODY_TOO_LARGE"/)
      assert.match(raw, /\r\nconnection: close\r\n/i)
      assert.equal(upstream.seen.some((s) => s.url === '/guarded/big'), false)
    })

    it('answers 413 to a declared Content-Length over the limit without calling the upstream', async () => {
      const res = await request(port, { method: 'POST', path: '/guarded/declared', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'y'.repeat(80) }) })
      assert.equal(res.status, 413)
      assert.equal(upstream.seen.some((s) => s.url === '/guarded/declared'), false)
    })

    it('refuses a method, a URL, a content type and a user agent with their codes', async () => {
      const codeOf = async (options: Parameters<typeof request>[1]): Promise<string> => {
        const res = await request(port, options)
        return `${res.status} ${(res.json() as { error: { code: string } }).error.code}`
      }
      assert.equal(await codeOf({ method: 'DELETE', path: '/guarded/a' }), '405 TG_METHOD_NOT_ALLOWED')
      assert.equal(await codeOf({ path: '/guarded/' + 'a'.repeat(60) }), '414 TG_REQUEST_URL_TOO_LONG')
      assert.equal(await codeOf({ method: 'POST', path: '/guarded/a', headers: { 'content-type': 'text/plain' }, body: 'hi' }), '415 TG_REQUEST_CONTENT_TYPE_UNSUPPORTED')
      assert.equal(await codeOf({ path: '/guarded/a', headers: { 'user-agent': 'EvilBot/1.0' } }), '403 TG_REQUEST_USER_AGENT_DENIED')
    })
  })
}
