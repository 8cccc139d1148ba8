// Three real upstreams behind a real gateway (primary + 1 worker) under concurrent load: how the
// balancers share traffic when one target is slow, when one fails fast, and what the client gets
// when every target is down. The shares are printed (see docs/balancing.md).
import assert from 'node:assert/strict'
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { UpstreamServer } from '../support/upstream-server.js'

const FAST_MS = 20
const SLOW_MS = 5 * FAST_MS
const CONCURRENCY = 24
const REQUESTS = 480

/** An upstream that answers 200 (or `status`) after `delayMs`. */
function upstream (name: string, delayMs: number, status = 200): UpstreamServer {
  return new UpstreamServer((_req, res) => {
    setTimeout(() => { res.writeHead(status, { 'content-type': 'text/plain' }); res.end(name) }, delayMs)
  })
}

const servers = [upstream('a', FAST_MS), upstream('b', FAST_MS), upstream('c', SLOW_MS)]
const failing = upstream('bad', 1, 503)
const ports: number[] = []
let failingPort = 0

before(async () => {
  for (const server of servers) ports.push(await server.listen())
  failingPort = await failing.listen()
})
after(async () => {
  for (const server of servers) await server.close().catch(() => {})
  await failing.close()
})

/** Starts a gateway on one service over `targetPorts` with `service` settings. */
async function gatewayOver (targetPorts: number[], service: Record<string, unknown>): Promise<{ gateway: GatewayProcess, port: number }> {
  const port = await freePort()
  const gateway = new GatewayProcess(gatewayConfig({
    port,
    upstreamPort: targetPorts[0] ?? 0,
    services: [{ id: 'backend', targets: targetPorts.map((p) => ({ host: '127.0.0.1', port: p })), ...service }]
  }))
  await gateway.start(1)
  return { gateway, port }
}

interface Answer { status: number, body: string, ms: number, retryAfter: string | undefined }

function get (port: number, agent: http.Agent): Promise<Answer> {
  const startedAt = performance.now()
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/work', agent }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => {
        const retryAfter = res.headers['retry-after']
        resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - startedAt, retryAfter })
      })
    }).on('error', reject)
  })
}

/** `total` requests, `concurrency` at a time, over keep-alive connections; every answer in order of completion. */
async function load (port: number, total: number, concurrency: number): Promise<Answer[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const answers: Answer[] = []
  let left = total
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) answers.push(await get(port, agent))
  }))
  agent.destroy()
  return answers
}

/** Prints a small table of who answered how many, and returns the shares by body. */
function printShares (title: string, answers: Answer[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const answer of answers) {
    const key = answer.status === 200 ? answer.body : `${answer.status} ${answer.body.startsWith('{') ? '(gateway)' : answer.body}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  const shares = new Map([...counts].map(([key, count]) => [key, count / answers.length]))
  console.log(`${title} (${answers.length} requests, ${CONCURRENCY} concurrent)`)
  for (const [key, share] of [...shares].sort()) console.log(`  ${key.padEnd(16)} ${(share * 100).toFixed(1).padStart(5)} %  (${counts.get(key) ?? 0})`)
  return shares
}

for (const balancer of ['p2c-peak-ewma', 'least-connections']) {
  void test(`${balancer}: the 5× slower target gets clearly less traffic`, async () => {
    const { gateway, port } = await gatewayOver(ports, { balancer })
    try {
      await load(port, 60, CONCURRENCY) // warm-up: connections, latency history
      const shares = printShares(`${balancer}, a and b ${FAST_MS} ms, c ${SLOW_MS} ms`, await load(port, REQUESTS, CONCURRENCY))
      const slow = shares.get('c') ?? 0
      assert.ok(Math.abs((shares.get('a') ?? 0) + (shares.get('b') ?? 0) + slow - 1) < 1e-9, 'every answer came from a, b or c')
      assert.ok(slow < 0.25, `the slow target got ${(slow * 100).toFixed(1)} %`)
      assert.ok(slow < (shares.get('a') ?? 0) && slow < (shares.get('b') ?? 0))
    } finally {
      await gateway.stop()
    }
  })
}

void test('a target answering 503 in 1 ms gets almost nothing (its failures cost it at once; 5 in a row eject it)', async () => {
  const { gateway, port } = await gatewayOver([ports[0] ?? 0, ports[1] ?? 0, failingPort], {})
  try {
    const answers = await load(port, REQUESTS, CONCURRENCY)
    const shares = printShares(`p2c-peak-ewma + ejection, a and b ${FAST_MS} ms, bad: 503 in 1 ms`, answers)
    const failed = answers.filter((a) => a.status === 503).length
    console.log(`  the failing upstream saw ${failing.seen.length} requests`)
    assert.ok(failing.seen.length >= 1 && failing.seen.length <= 10, `the failing upstream saw ${failing.seen.length}`)
    assert.equal(failed, failing.seen.length, 'each of its answers reached a client (503 is not retried by default)')
    assert.ok((shares.get('503 bad') ?? 0) < 0.03)
  } finally {
    await gateway.stop()
  }
})

void test('every target down (found by active checks): 503 with Retry-After in milliseconds', async () => {
  const { gateway, port } = await gatewayOver(ports, {
    health_checks: { active: { interval_ms: 100, timeout_ms: 300, unhealthy_threshold: 2, healthy_threshold: 2 } }
  })
  try {
    for (const server of servers) await server.close()
    await gateway.waitForLog((line) => line.msg === 'upstream target down (active checks)', 5000, 3)
    await new Promise((resolve) => setTimeout(resolve, 200))
    const answers = await load(port, 60, 6)
    const slowest = Math.max(...answers.map((a) => a.ms))
    console.log(`all down: ${answers.length} answers, statuses ${[...new Set(answers.map((a) => a.status))].join(',')}, slowest ${slowest.toFixed(1)} ms, Retry-After ${answers[0]?.retryAfter ?? '-'}`)
    assert.ok(answers.every((a) => a.status === 503 && a.retryAfter === '1'))
    assert.ok(answers.every((a) => (JSON.parse(a.body) as { error: { code: string } }).error.code === 'TG_UPSTREAM_UNAVAILABLE'))
    // Nothing waits on a connection: generous bound for a busy 2-core machine.
    assert.ok(slowest < 500, `slowest answer ${slowest} ms`)
  } finally {
    await gateway.stop()
  }
})
