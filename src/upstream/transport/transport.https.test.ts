// https upstreams for both transports, with a self-signed certificate made by the openssl CLI.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { after, before, describe, test } from 'node:test'
import { createH1Transport } from './h1-client.js'
import { makeRequest, send } from './test-upstreams.js'
import type { Target, TransportOptions, UpstreamTransport } from './transport.js'
import { createUndiciTransport } from './undici.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'))
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  '-keyout', join(dir, 'k'), '-out', join(dir, 'c')
], { stdio: 'ignore' })
// A self-signed client certificate, which the mTLS server below trusts as its own CA.
execFileSync('openssl', [
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=gateway.test', '-addext', 'extendedKeyUsage=clientAuth', '-keyout', join(dir, 'ck'), '-out', join(dir, 'cc')
], { stdio: 'ignore' })
const key = readFileSync(join(dir, 'k'), 'utf8')
const cert = readFileSync(join(dir, 'c'), 'utf8')
const clientKey = readFileSync(join(dir, 'ck'), 'utf8')
const clientCert = readFileSync(join(dir, 'cc'), 'utf8')
rmSync(dir, { recursive: true, force: true })

const BASE: TransportOptions = { protocol: 'https', maxIdlePerTarget: 4, idleTimeoutMs: 5000, tlsCa: cert }

const IMPLEMENTATIONS: Array<[string, (o: TransportOptions) => UpstreamTransport]> = [
  ['h1-client', createH1Transport],
  ['undici', createUndiciTransport]
]

for (const [name, create] of IMPLEMENTATIONS) {
  describe(`https upstream: ${name}`, () => {
    let server: Server
    let target: Target
    let connections = 0
    let resumed = 0

    before(async () => {
      server = createServer({ key, cert }, (req, res) => {
        if (req.url === '/close') res.setHeader('connection', 'close')
        res.end('secure')
      })
      server.on('secureConnection', (socket: TLSSocket) => {
        connections++
        if (socket.isSessionReused()) resumed++
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const port = (server.address() as AddressInfo).port
      target = { id: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1 }
    })
    after(async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    })

    const withTransport = async (options: TransportOptions, fn: (t: UpstreamTransport) => Promise<void>): Promise<void> => {
      const transport = create(options)
      try { await fn(transport) } finally { await transport.close() }
    }

    test('verifies the certificate against tlsCa (IP SAN) and keeps the connection', async () => {
      await withTransport(BASE, async (transport) => {
        const before = connections
        for (let i = 0; i < 3; i++) {
          const out = await send(transport, target, makeRequest(target))
          assert.equal(out.error, undefined)
          assert.equal(out.body.toString(), 'secure')
        }
        assert.equal(connections - before, 1)
      })
    })

    test('sends tlsServername as SNI and checks the certificate against it', async () => {
      await withTransport({ ...BASE, tlsServername: 'localhost' }, async (transport) => {
        assert.equal((await send(transport, target, makeRequest(target))).body.toString(), 'secure')
      })
      await withTransport({ ...BASE, tlsServername: 'example.com' }, async (transport) => {
        assert.equal((await send(transport, target, makeRequest(target))).error?.kind, 'tls')
      })
    })

    test('an unknown issuer is a tls failure', async () => {
      const { tlsCa: _ca, ...noCa } = BASE
      await withTransport(noCa, async (transport) => {
        const out = await send(transport, target, makeRequest(target))
        assert.equal(out.error?.kind, 'tls')
        assert.equal(out.error?.afterHead, false)
      })
    })

    test('tlsVerify false accepts the certificate', async () => {
      const { tlsCa: _ca, ...noCa } = BASE
      await withTransport({ ...noCa, tlsVerify: false }, async (transport) => {
        assert.equal((await send(transport, target, makeRequest(target))).body.toString(), 'secure')
      })
    })

    test('shows the client certificate (tlsCert, tlsKey) to a server that requires one', async () => {
      const mtls = createServer({ key, cert, ca: clientCert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
        res.end(String((req.socket as TLSSocket).getPeerCertificate().subject.CN))
      })
      await new Promise<void>((resolve) => mtls.listen(0, '127.0.0.1', resolve))
      const port = (mtls.address() as AddressInfo).port
      const mtlsTarget = { id: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1 }
      try {
        await withTransport({ ...BASE, tlsCert: clientCert, tlsKey: clientKey }, async (transport) => {
          assert.equal((await send(transport, mtlsTarget, makeRequest(mtlsTarget))).body.toString(), 'gateway.test')
        })
        await withTransport(BASE, async (transport) => {
          assert.notEqual((await send(transport, mtlsTarget, makeRequest(mtlsTarget))).error, undefined, 'refused without one')
        })
      } finally {
        mtls.closeAllConnections()
        await new Promise((resolve) => mtls.close(resolve))
      }
    })

    test('resumes the TLS session on a new connection to the same target', async () => {
      await withTransport(BASE, async (transport) => {
        const before = resumed
        for (let i = 0; i < 3; i++) {
          assert.equal((await send(transport, target, makeRequest(target, { path: '/close' }))).body.toString(), 'secure')
        }
        assert.ok(resumed - before >= 1, 'no resumed session')
      })
    })
  })
}
