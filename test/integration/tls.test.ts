import assert from 'node:assert/strict'
import http2 from 'node:http2'
import https from 'node:https'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import tls, { type TLSSocket } from 'node:tls'
import { makeCertificate, type TestCertificate } from '../support/certs.js'
import { INGRESS_KINDS, gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { UpstreamServer } from '../support/upstream-server.js'

function httpsGet (port: number, servername: string, ca: string[], alpn?: string[]): Promise<{ status: number, body: string, subject: string, alpn: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, servername, path: '/hello', ca, agent: false, headers: { host: servername }, ...(alpn === undefined ? {} : { ALPNProtocols: alpn }) }, (res) => {
      let body = ''
      const socket = res.socket as TLSSocket
      const subject = socket.getPeerCertificate().subject.CN as string
      const alpn = String(socket.alpnProtocol)
      res.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve({ status: res.statusCode ?? 0, body, subject, alpn }))
    })
    req.on('error', reject)
    req.end()
  })
}

for (const ingress of INGRESS_KINDS) {
  describe(`HTTPS listener: SNI certificates, and h2 or HTTP/1.1 by ALPN on one port (${ingress} ingress)`, () => {
    const upstream = new UpstreamServer((req, res) => res.end(`${req.headers['x-forwarded-proto']} ${req.url}`))
    let gateway: GatewayProcess
    let port: number
    let dir: string
    let shop: TestCertificate
    let wild: TestCertificate
    let fallback: TestCertificate

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'))
      shop = makeCertificate(dir, 'shop', ['shop.test'])
      wild = makeCertificate(dir, 'wild', ['*.api.test'])
      fallback = makeCertificate(dir, 'fallback', ['fallback.test'])
      const upstreamPort = await upstream.listen()
      port = await freePort()
      gateway = new GatewayProcess(gatewayConfig({
        port,
        upstreamPort,
        listeners: [{ name: 'tls', host: '127.0.0.1', port, protocol: 'https', ingress, half_close: 'answer' }],
        gateway: { timeouts: { header_read_ms: 1000 } },
        certificates: [
          { id: 'shop', snis: ['shop.test'], cert: shop.cert, key: shop.key },
          { id: 'wild', snis: ['*.api.test'], cert_file: wild.certFile, key_file: wild.keyFile },
          { id: 'fallback', snis: ['fallback.test'], cert: fallback.cert, key: fallback.key, default: true }
        ]
      }))
      await gateway.start(1)
    })

    after(async () => {
      await gateway.stop()
      await upstream.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('picks the certificate by SNI: exact, wildcard, and the default one', async () => {
      const ca = [shop.cert, wild.cert, fallback.cert]
      const exact = await httpsGet(port, 'shop.test', ca)
      assert.equal(exact.subject, 'shop.test')
      assert.equal(exact.body, 'https /hello')
      assert.equal((await httpsGet(port, 'eu.api.test', ca)).subject, '*.api.test')
      const other = await new Promise<string>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, servername: 'unknown.test', path: '/', rejectUnauthorized: false, agent: false }, (res) => {
          resolve((res.socket as TLSSocket).getPeerCertificate().subject.CN as string)
          res.resume()
        })
        req.on('error', reject)
        req.end()
      })
      assert.equal(other, 'fallback.test')
    })

    it('falls back to HTTP/1.1 for clients without h2', async () => {
      const offered = await httpsGet(port, 'shop.test', [shop.cert], ['http/1.1'])
      assert.equal(offered.status, 200)
      assert.equal(offered.alpn, 'http/1.1')
      const none = await httpsGet(port, 'shop.test', [shop.cert])
      assert.equal(none.status, 200)
      assert.equal(none.alpn, 'false', 'no ALPN at all is HTTP/1.1 too')
    })

    it('answers pipelined HTTP/1.1 requests over TLS in order on one connection', async () => {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'shop.test', ca: [shop.cert], ALPNProtocols: ['http/1.1'] }, () => {
          socket.write('GET /one HTTP/1.1\r\nHost: shop.test\r\n\r\nGET /two HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n')
        })
        let received = ''
        socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk })
        socket.on('close', () => resolve(received))
        socket.on('error', reject)
      })
      assert.deepEqual([...answer.matchAll(/https \/(one|two)/g)].map((m) => m[1]), ['one', 'two'])
      assert.equal([...answer.matchAll(/HTTP\/1\.1 200 /g)].length, 2)
    })

    it('answers the requests sent before a half-close (close_notify and FIN), then closes', async () => {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'shop.test', ca: [shop.cert], ALPNProtocols: ['http/1.1'] }, () => {
          socket.write('GET /one HTTP/1.1\r\nHost: shop.test\r\n\r\nGET /two HTTP/1.1\r\nHost: shop.test\r\n\r\n')
          socket.end()
        })
        let received = ''
        const timer = setTimeout(() => { socket.destroy(); reject(new Error(`not closed; received ${received}`)) }, 5000)
        socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk })
        socket.on('close', () => { clearTimeout(timer); resolve(received) })
        socket.on('error', reject)
      })
      assert.deepEqual([...answer.matchAll(/https \/(one|two)/g)].map((m) => m[1]), ['one', 'two'])
      assert.equal([...answer.matchAll(/HTTP\/1\.1 200 /g)].length, 2)
    })

    it('speaks HTTP/2 when the client offers h2 by ALPN', async () => {
      const session = http2.connect(`https://127.0.0.1:${port}`, { servername: 'shop.test', ca: [shop.cert] })
      try {
        const answer = await new Promise<{ status: number, body: string }>((resolve, reject) => {
          const stream = session.request({ ':path': '/h2?x=1', ':authority': 'shop.test' })
          let status = 0
          let body = ''
          stream.on('response', (headers) => { status = Number(headers[':status']) })
          stream.setEncoding('utf8').on('data', (c: string) => { body += c }).on('end', () => resolve({ status, body })).on('error', reject)
          stream.end()
        })
        assert.equal(answer.status, 200)
        assert.equal(answer.body, 'https /h2?x=1')
        assert.equal(upstream.seen.at(-1)?.headers.via, '2 tollgate')
      } finally {
        session.close()
      }
    })

    it('enforces the header-read timeout on HTTP/1.1 over TLS too', async () => {
      // The HTTP/1.1 server behind the TLS listener never listens itself; its timeout checks must run anyway.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'shop.test', ca: [shop.cert], ALPNProtocols: ['http/1.1'] }, () => {
          socket.write('GET /slow HTTP/1.1\r\nHost: shop.test\r\n')
        })
        let received = ''
        const timer = setTimeout(() => { socket.destroy(); resolve(received) }, 5000)
        socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk })
        socket.on('close', () => { clearTimeout(timer); resolve(received) })
        socket.on('error', reject)
      })
      assert.match(answer, /^HTTP\/1\.1 408 /)
    })
  })
}
