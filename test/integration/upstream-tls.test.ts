// TLS from the gateway to its targets, per protocol, through the real request path (in process):
// TG-RPC over TLS checked against a test CA, and client certificates (mTLS) for https, tgrpc and
// grpc services whose backends require one.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { TLSSocket } from 'node:tls'
import { InProcessGateway } from '../../src/testing/inject.js'
import { DEMO_PROTO } from '../../src/conversion/grpc/testing/demo-proto.js'
import { TgRpcServer } from '../../src/tgrpc/index.js'
import { issueCertificate, makeAuthority } from '../support/certs.js'
import { startGrpcBackend } from '../support/grpc-backend.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-upstream-tls-'))
const authority = makeAuthority(dir, 'test-ca')
const byAddress = issueCertificate(dir, authority, 'by-address', ['backend.test', '127.0.0.1'])
const byName = issueCertificate(dir, authority, 'by-name', ['localhost'])
const client = issueCertificate(dir, authority, 'client', ['gateway.test'])
const otherAuthority = makeAuthority(dir, 'other-ca')
const strangerClient = issueCertificate(dir, otherAuthority, 'stranger', ['stranger.test'])
/** Server options that require a client certificate signed by the test CA. */
const requireClient = { ca: authority.cert, requestCert: true, rejectUnauthorized: true }

const closers: Array<() => Promise<void>> = []
after(async () => {
  for (const close of closers) await close()
  rmSync(dir, { recursive: true, force: true })
})

/** A TG-RPC backend over TLS with node:tls server options `tls`; `orders/get` answers `{"ok":true}`. */
async function tgRpcBackend (tls: Record<string, unknown>): Promise<number> {
  const server = new TgRpcServer({ tls })
  server.handle('orders', 'get', () => ({ body: '{"ok":true}' }))
  const port = await server.listen(0)
  closers.push(() => server.close(100))
  return port
}

function tgRpcDocument (port: number, service: Record<string, unknown>, host = '127.0.0.1'): Record<string, unknown> {
  return {
    services: [{ id: 'orders', protocol: 'tgrpc', targets: [{ host, port }], retries: { count: 0 }, timeouts: { read_ms: 2000 }, ...service }],
    routes: [{ id: 'get', service: 'orders', paths: ['/orders'], tgrpc: { service: 'orders', method: 'get' } }]
  }
}

/** Sends one request through a gateway loaded with `document` and checks its status (the body names the failure). */
async function expectStatus (document: Record<string, unknown>, url: string, status: number, what: string): Promise<void> {
  const gateway = new InProcessGateway().load(document)
  try {
    const res = await gateway.inject({ url })
    assert.equal(res.status, status, `${what}: ${res.body.toString()}`)
  } finally {
    await gateway.close()
  }
}

describe('TG-RPC over TLS (tgrpc.tls)', () => {
  it('calls a backend whose certificate the CA file vouches for, by address or by servername, and refuses an untrusted or misnamed one', async () => {
    const port = await tgRpcBackend({ cert: byAddress.cert, key: byAddress.key })
    const cases: Array<[string, Record<string, unknown>, number]> = [
      ['CA file, address in the certificate', { ca_file: authority.certFile }, 200],
      ['CA file and servername', { ca_file: authority.certFile, servername: 'backend.test' }, 200],
      ['CA file, servername not in the certificate', { ca_file: authority.certFile, servername: 'other.test' }, 502],
      ['no CA file: the test CA is not trusted', {}, 502],
      ['verify off', { verify: false }, 200]
    ]
    for (const [name, tls, status] of cases) {
      await expectStatus(tgRpcDocument(port, { tgrpc: { tls: true }, tls }), '/orders', status, name)
    }
    await expectStatus(tgRpcDocument(port, {}), '/orders', 502, 'plain TCP to a TLS backend fails')
  })

  it('checks a target given by host name against that name', async () => {
    const port = await tgRpcBackend({ cert: byName.cert, key: byName.key })
    await expectStatus(tgRpcDocument(port, { tgrpc: { tls: true }, tls: { ca_file: authority.certFile } }, 'localhost'), '/orders', 200, 'by host name')
    await expectStatus(tgRpcDocument(port, { tgrpc: { tls: true }, tls: { ca_file: authority.certFile } }), '/orders', 502, 'by address, the name-only certificate does not fit')
  })
})

describe('client certificates (mTLS) to backends that require one', () => {
  const withClient = { ca_file: authority.certFile, cert_file: client.certFile, key_file: client.keyFile }
  const withStranger = { ca_file: authority.certFile, cert_file: strangerClient.certFile, key_file: strangerClient.keyFile }

  it('https: refused without a client certificate or with one the backend does not trust, served with the right one', async () => {
    const seen: string[] = []
    const server = createHttpsServer({ cert: byAddress.cert, key: byAddress.key, ...requireClient }, (req, res) => {
      seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN))
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
    const port = (server.address() as AddressInfo).port
    const document = (tls: Record<string, unknown>): Record<string, unknown> => ({
      services: [{ id: 'web', protocol: 'https', targets: [{ host: '127.0.0.1', port }], retries: { count: 0 }, tls }],
      routes: [{ id: 'all', service: 'web', paths: ['/hello'] }]
    })
    await expectStatus(document({ ca_file: authority.certFile }), '/hello', 502, 'no client certificate')
    await expectStatus(document(withStranger), '/hello', 502, 'a client certificate of another CA')
    assert.equal(seen.length, 0)
    await expectStatus(document(withClient), '/hello', 200, 'the client certificate')
    assert.deepEqual(seen, ['gateway.test'])
  })

  it('tgrpc: refused without a client certificate or with one the backend does not trust, served with the right one', async () => {
    const port = await tgRpcBackend({ cert: byAddress.cert, key: byAddress.key, ...requireClient })
    await expectStatus(tgRpcDocument(port, { tgrpc: { tls: true }, tls: { ca_file: authority.certFile } }), '/orders', 502, 'no client certificate')
    await expectStatus(tgRpcDocument(port, { tgrpc: { tls: true }, tls: withStranger }), '/orders', 502, 'a client certificate of another CA')
    await expectStatus(tgRpcDocument(port, { tgrpc: { tls: true }, tls: withClient }), '/orders', 200, 'the client certificate')
  })

  it('grpc: refused without a client certificate or with one the backend does not trust, served with the right one', async () => {
    const backend = await startGrpcBackend({ tls: { cert: byAddress.cert, key: byAddress.key, clientCa: authority.cert } })
    closers.push(() => backend.close())
    const document = (tls: Record<string, unknown>): Record<string, unknown> => ({
      services: [{ id: 'orders', protocol: 'grpc', grpc: { proto: DEMO_PROTO, tls: true }, targets: [{ host: '127.0.0.1', port: backend.port }], retries: { count: 0 }, tls }],
      routes: [{ id: 'annotated', service: 'orders', paths: ['/v1/*'] }]
    })
    await expectStatus(document({ ca_file: authority.certFile }), '/v1/shops/s/orders/1', 503, 'no client certificate')
    await expectStatus(document(withStranger), '/v1/shops/s/orders/1', 503, 'a client certificate of another CA')
    assert.equal(backend.count, 0)
    await expectStatus(document(withClient), '/v1/shops/s/orders/1', 200, 'the client certificate')
    assert.equal(backend.count, 1)
  })
})
