// The primary's active checks of tgrpc and grpc services against real backends on loopback: the
// TG-RPC server library's health method and a grpc-js server's grpc.health.v1 service, in clear
// and over TLS with a test CA (with and without the client certificate a backend requires).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { validateConfig } from '../../config/validate.js'
import type { GatewayConfig } from '../../config/gateway-config.js'
import { silentLogger } from '../../observability/log.js'
import { TgRpcServer } from '../../tgrpc/server.js'
import { waitFor } from '../transport/test-upstreams.js'
import { issueCertificate, makeAuthority } from '../../../test/support/certs.js'
import { startGrpcBackend, type BackendOptions, type GrpcBackend } from '../../../test/support/grpc-backend.js'
import { DEMO_PROTO } from '../../conversion/grpc/testing/demo-proto.js'
import { UpstreamHealth, type TargetHealthMessage } from './upstream-health.js'

const fast = { interval_ms: 30, timeout_ms: 500, healthy_threshold: 2, unhealthy_threshold: 2 }
const dir = mkdtempSync(join(tmpdir(), 'tollgate-rpc-checks-'))
const authority = makeAuthority(dir, 'test-ca')
const serverCertificate = issueCertificate(dir, authority, 'server', ['backend.test', '127.0.0.1'])
const clientCertificate = issueCertificate(dir, authority, 'client', ['gateway.test'])

const closers: Array<() => Promise<void>> = []
after(async () => {
  for (const close of closers) await close()
  rmSync(dir, { recursive: true, force: true })
})

async function tgRpcBackend (options: ConstructorParameters<typeof TgRpcServer>[0] = {}): Promise<{ server: TgRpcServer, port: number }> {
  const server = new TgRpcServer(options)
  server.handle('orders', 'get', () => ({ body: '{}' }))
  const port = await server.listen(0)
  closers.push(() => server.close(100))
  return { server, port }
}

async function grpcBackend (tls?: BackendOptions['tls']): Promise<GrpcBackend> {
  const backend = await startGrpcBackend(tls === undefined ? {} : { tls })
  closers.push(() => backend.close())
  return backend
}

function config (service: Record<string, unknown>, ports: number[]): GatewayConfig {
  const result = validateConfig({
    services: [{ id: 'svc', targets: ports.map((port) => ({ host: '127.0.0.1', port })), ...service }]
  }, { file: 'test', baseDir: dir, pluginSchema: () => undefined })
  if (!result.ok) assert.fail(JSON.stringify(result.problems))
  return result.config
}

/** Runs the checks of `service` over `ports` until `body` is done. */
async function checking (service: Record<string, unknown>, ports: number[], body: (verdicts: TargetHealthMessage[], health: UpstreamHealth) => Promise<void>): Promise<void> {
  const verdicts: TargetHealthMessage[] = []
  const health = new UpstreamHealth(config(service, ports), (m) => verdicts.push(m), silentLogger)
  try {
    await body(verdicts, health)
  } finally {
    health.stop()
  }
}

const down = (port: number): TargetHealthMessage => ({ type: 'target-health', serviceId: 'svc', targetId: `127.0.0.1:${port}`, healthy: false })
const up = (port: number): TargetHealthMessage => ({ ...down(port), healthy: true })
const lastError = (health: UpstreamHealth, index: number): string | null | undefined => health.report().services[0]?.targets[index]?.active?.last_error
const checksOf = (health: UpstreamHealth, index: number): number => {
  const active = health.report().services[0]?.targets[index]?.active
  return (active?.consecutive_successes ?? 0) + (active?.consecutive_failures ?? 0)
}

describe('active checks of tgrpc services (the TG-RPC health method)', () => {
  test('a target whose server says it is not serving is reported down, then up when it serves again', async () => {
    const a = await tgRpcBackend()
    const b = await tgRpcBackend()
    await checking({ protocol: 'tgrpc', health_checks: { active: fast } }, [a.port, b.port], async (verdicts, health) => {
      b.server.setServing(false)
      assert.ok(await waitFor(() => verdicts.length === 1, 5000))
      assert.deepEqual(verdicts[0], down(b.port))
      assert.equal(lastError(health, 1), 'UNAVAILABLE: not serving')
      assert.deepEqual(health.report().services[0]?.targets.map((t) => t.state), ['healthy', 'unhealthy'])
      b.server.setServing(true)
      assert.ok(await waitFor(() => verdicts.length === 2, 5000))
      assert.deepEqual(verdicts[1], up(b.port))
    })
  })

  test('tgrpc_service asks about one service: that service not serving, or unknown to the server, fails the check', async () => {
    const a = await tgRpcBackend()
    await checking({ protocol: 'tgrpc', health_checks: { active: { ...fast, tgrpc_service: 'orders' } } }, [a.port], async (verdicts, health) => {
      assert.ok(await waitFor(() => checksOf(health, 0) >= 3, 5000))
      assert.equal(verdicts.length, 0, 'a service with handlers is serving')
      a.server.setServing(false, 'orders')
      assert.ok(await waitFor(() => verdicts.length === 1, 5000))
      a.server.setServing(true, 'orders')
      assert.ok(await waitFor(() => verdicts.length === 2, 5000))
    })
    await checking({ protocol: 'tgrpc', health_checks: { active: { ...fast, tgrpc_service: 'payments' } } }, [a.port], async (verdicts, health) => {
      assert.ok(await waitFor(() => verdicts.length === 1, 5000))
      assert.equal(lastError(health, 0), "NOT_FOUND: no service 'payments' on this server")
    })
  })

  test('a refused connection and a server that never answers fail the checks', async () => {
    const silent = createTcpServer((socket: Socket) => { socket.on('data', () => {}) })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const silentPort = (silent.address() as AddressInfo).port
    closers.push(() => new Promise((resolve) => silent.close(() => resolve())))
    const closed = createTcpServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const closedPort = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await checking({ protocol: 'tgrpc', health_checks: { active: { ...fast, timeout_ms: 100 } } }, [silentPort, closedPort], async (verdicts, health) => {
      assert.ok(await waitFor(() => verdicts.length === 2, 5000))
      assert.equal(lastError(health, 0), 'no answer in 100 ms')
      assert.match(lastError(health, 1) ?? '', /ECONNREFUSED/)
    })
  })

  test('over TLS (tgrpc.tls), the target is checked against the service\'s CA', async () => {
    const a = await tgRpcBackend({ tls: { cert: serverCertificate.cert, key: serverCertificate.key } })
    await checking({ protocol: 'tgrpc', tgrpc: { tls: true }, tls: { ca_file: authority.certFile }, health_checks: { active: fast } }, [a.port], async (verdicts, health) => {
      assert.ok(await waitFor(() => checksOf(health, 0) >= 3, 5000))
      assert.equal(verdicts.length, 0)
      assert.equal(lastError(health, 0), null)
    })
    await checking({ protocol: 'tgrpc', tgrpc: { tls: true }, health_checks: { active: fast } }, [a.port], async (verdicts, health) => {
      assert.ok(await waitFor(() => verdicts.length === 1, 5000), 'without the CA the certificate is not trusted')
      assert.match(lastError(health, 0) ?? '', /certificate/i)
    })
  })
})

describe('active checks of grpc services (grpc.health.v1.Health/Check)', () => {
  test('a target answering NOT_SERVING is reported down, then up when it answers SERVING again', async () => {
    const a = await grpcBackend()
    const b = await grpcBackend()
    await checking({ protocol: 'grpc', grpc: { proto: DEMO_PROTO }, health_checks: { active: fast } }, [a.port, b.port], async (verdicts, health) => {
      assert.ok(await waitFor(() => b.healthChecks >= 2, 5000))
      b.health.set('', 'NOT_SERVING')
      assert.ok(await waitFor(() => verdicts.length === 1, 5000))
      assert.deepEqual(verdicts[0], down(b.port))
      assert.equal(lastError(health, 1), 'NOT_SERVING')
      b.health.set('', 'SERVING')
      assert.ok(await waitFor(() => verdicts.length === 2, 5000))
      assert.deepEqual(verdicts[1], up(b.port))
      assert.ok(a.healthChecks >= 2)
    })
  })

  test('grpc_service names the service asked about; one the server does not know fails the check', async () => {
    const a = await grpcBackend()
    a.health.set('tollgate.demo.Orders', 'SERVING')
    const grpc = { proto: DEMO_PROTO }
    await checking({ protocol: 'grpc', grpc, health_checks: { active: { ...fast, grpc_service: 'tollgate.demo.Orders' } } }, [a.port], async (verdicts) => {
      const before = a.healthChecks
      assert.ok(await waitFor(() => a.healthChecks >= before + 3, 5000))
      assert.equal(verdicts.length, 0)
      a.health.set('tollgate.demo.Orders', 'NOT_SERVING')
      assert.ok(await waitFor(() => verdicts.length === 1, 5000))
    })
    await checking({ protocol: 'grpc', grpc, health_checks: { active: { ...fast, grpc_service: 'unknown.Service' } } }, [a.port], async (verdicts, health) => {
      assert.ok(await waitFor(() => verdicts.length === 1, 5000))
      assert.equal(lastError(health, 0), "NOT_FOUND: unknown service 'unknown.Service'")
    })
  })
})

describe('active checks use the service\'s client certificate when the backend requires one (mTLS)', () => {
  const requireClient = { ca: authority.cert, requestCert: true, rejectUnauthorized: true }

  async function httpsBackend (): Promise<number> {
    const server: HttpsServer = createHttpsServer({ cert: serverCertificate.cert, key: serverCertificate.key, ...requireClient }, (_req, res) => res.end('ok'))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    closers.push(async () => { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) })
    return (server.address() as AddressInfo).port
  }

  const cases: Array<[string, () => Promise<number>, Record<string, unknown>]> = [
    ['https', httpsBackend, { protocol: 'https' }],
    ['tgrpc', async () => (await tgRpcBackend({ tls: { cert: serverCertificate.cert, key: serverCertificate.key, ...requireClient } })).port, { protocol: 'tgrpc', tgrpc: { tls: true } }],
    ['grpc', async () => (await grpcBackend({ cert: serverCertificate.cert, key: serverCertificate.key, clientCa: authority.cert })).port, { protocol: 'grpc', grpc: { proto: DEMO_PROTO, tls: true } }]
  ]
  for (const [protocol, start, service] of cases) {
    test(`${protocol}: down without the client certificate, up with it`, async () => {
      const port = await start()
      const tls = { ca_file: authority.certFile }
      await checking({ ...service, tls, health_checks: { active: fast } }, [port], async (verdicts) => {
        assert.ok(await waitFor(() => verdicts.length === 1, 5000))
        assert.deepEqual(verdicts[0], down(port))
      })
      await checking({ ...service, tls: { ...tls, cert_file: clientCertificate.certFile, key_file: clientCertificate.keyFile }, health_checks: { active: fast } }, [port], async (verdicts, health) => {
        assert.ok(await waitFor(() => checksOf(health, 0) >= 3, 5000))
        assert.equal(lastError(health, 0), null)
        assert.equal(verdicts.length, 0)
      })
    })
  }
})
