// The sampling profiler through a real gateway: two workers under load from this test, profiled
// through the status listener's /debug/profile, the merged .cpuprofile checked, the flame graph
// page opened in headless Chromium, and the CLI command run against the same gateway.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import type { Browser } from 'playwright-core'
import { profileProblems, type CpuProfile } from '../../src/profiler/cpuprofile.js'
import type { JsonReport } from '../../src/profiler/profile-formats.js'
import { launchChromium, skipUnlessChromium } from '../support/chromium.js'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess, MAIN } from '../support/gateway-process.js'
import { request, type TestResponse } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const TOKEN = 'profiler-test-token-0123456789'
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts')
const KEY = 'key-profiled-0001'
// key-auth looks through 16 header names and 16 query names before it finds the key in the last
// query parameter: its own code then takes a share of each request large enough to be sampled.
const KEY_NAMES = Array.from({ length: 16 }, (_, i) => `x-key-${i}`)
const QUERY_NAMES = Array.from({ length: 16 }, (_, i) => `k${i}`)
const PATH = `/api/orders?${QUERY_NAMES.slice(0, 15).map((n) => `${n}=`).join('&')}&k15=${KEY}`

/** Keeps `connections` keep-alive requests in flight until stopped; counts the answers by status. */
function startLoad (port: number, connections = 8): { stop: () => Promise<Record<number, number>> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const statuses: Record<number, number> = {}
  let running = true
  const loop = async (): Promise<void> => {
    while (running) {
      const answer = await request(port, { path: PATH, agent }).catch(() => undefined)
      if (answer !== undefined) statuses[answer.status] = (statuses[answer.status] ?? 0) + 1
    }
  }
  const loops = Promise.all(Array.from({ length: connections }, loop))
  return { stop: async () => { running = false; await loops; agent.destroy(); return statuses } }
}

/** POSTs to the status listener with `token` as bearer token; `null` sends none. */
function debugPost (statusPort: number, path: string, token: string | null = TOKEN): Promise<TestResponse> {
  return request(statusPort, { method: 'POST', path, headers: token === null ? {} : { authorization: `Bearer ${token}` } })
}

function errorCode (answer: TestResponse): string {
  return (answer.json() as { error: { code: string } }).error.code
}

describe('the sampling profiler on a running gateway', () => {
  const upstream = new UpstreamServer((_req, res) => res.end('{"ok":true}'))
  const gateway = new GatewayProcess('')
  let port: number
  let statusPort: number
  let load: ReturnType<typeof startLoad>
  let workerPids: number[] = []

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    statusPort = await freePort()
    gateway.writeConfig(gatewayConfig({
      port,
      upstreamPort,
      gateway: { status: { host: '127.0.0.1', port: statusPort, token: TOKEN } },
      merchants: [{ id: 'shop', credentials: { api_keys: [{ key: KEY }] } }],
      routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }],
      plugins: [{ name: 'key-auth', route: 'api', config: { key_names: KEY_NAMES, query_names: QUERY_NAMES } }]
    }))
    await gateway.start(2, 60_000) // generous: two workers starting on a busy 2-core machine
    workerPids = gateway.lines.filter((l) => l.msg === 'worker serving config version').map((l) => Number(l.worker))
    assert.equal((await request(port, { path: PATH })).status, 200, 'the key in the last query name is accepted')
    mkdirSync(ARTIFACTS, { recursive: true })
    load = startLoad(port)
  })

  after(async () => {
    const statuses = await load?.stop()
    await gateway.stop()
    await upstream.close()
    assert.deepEqual(Object.keys(statuses ?? {}), ['200'], 'every request under load was answered 200')
  })

  it('returns one valid .cpuprofile of both workers with key-auth frames in it', async () => {
    const answer = await debugPost(statusPort, '/debug/profile?seconds=2&worker=all&interval_us=100')
    assert.equal(answer.status, 200, answer.body.toString())
    assert.match(String(answer.headers['content-disposition']), /attachment; filename="tollgate-.*\.cpuprofile"/)
    const profile = answer.json() as CpuProfile
    assert.deepEqual(profileProblems(profile), [])
    assert.ok(profile.samples.length > 0)
    assert.equal(profile.samples.length, profile.timeDeltas.length)
    const workerNodes = profile.nodes.filter((n) => /^worker \d+$/.test(n.callFrame.functionName)).map((n) => Number(n.callFrame.functionName.slice(7)))
    assert.deepEqual(workerNodes.sort(), [...workerPids].sort())
    const keyAuthFrames = profile.nodes.filter((n) => n.callFrame.url.includes('/plugins/key-auth/'))
    assert.ok(keyAuthFrames.some((n) => ['access', 'findApiKey', 'accept'].includes(n.callFrame.functionName)),
      `key-auth's handler functions are among the frames: ${keyAuthFrames.map((n) => n.callFrame.functionName).join(', ')}`)
    writeFileSync(join(ARTIFACTS, 'profiler-all-workers.cpuprofile'), answer.body)
  })

  it('attributes time to key-auth and to the phases in the JSON report', async () => {
    const answer = await debugPost(statusPort, '/debug/profile?seconds=2&format=json-report&interval_us=100')
    assert.equal(answer.status, 200, answer.body.toString())
    const report = answer.json() as JsonReport
    const keyAuth = report.plugins.find((p) => p.name === 'key-auth')
    assert.ok(keyAuth !== undefined && keyAuth.totalMs > 0, JSON.stringify(report.plugins))
    assert.ok(keyAuth.selfMs <= keyAuth.totalMs)
    assert.ok(report.phases.some((p) => p.name === 'access' && p.totalMs > 0), JSON.stringify(report.phases))
    assert.equal(report.workers.length, 2)
    assert.ok(report.topFrames.length > 0)
  })

  it('profiles one worker by pid', async () => {
    const pid = workerPids[0] as number
    const answer = await debugPost(statusPort, `/debug/profile?seconds=0.5&worker=${pid}`)
    assert.equal(answer.status, 200, answer.body.toString())
    assert.equal(answer.headers['x-tollgate-profiled-workers'], String(pid))
    const unknown = await debugPost(statusPort, '/debug/profile?seconds=0.5&worker=1')
    assert.equal(unknown.status, 404)
    assert.equal(errorCode(unknown), 'TG_DEBUG_WORKER_UNKNOWN')
  })

  it('answers a second profile while one runs with 409', async () => {
    // Two at once: whichever reaches the primary second finds the first running (3 s long).
    const answers = await Promise.all([debugPost(statusPort, '/debug/profile?seconds=3'), debugPost(statusPort, '/debug/profile?seconds=3')])
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409])
    const refused = answers.find((a) => a.status === 409) as TestResponse
    assert.equal(errorCode(refused), 'TG_PROFILE_BUSY')
    assert.match(String(refused.headers['content-type']), /application\/json/)
  })

  it('refuses the debug endpoints without the token or with a wrong one', async () => {
    for (const path of ['/debug/profile?seconds=1', `/debug/heap?worker=${workerPids[0]}`]) {
      const none = await debugPost(statusPort, path, null)
      assert.equal(none.status, 401, path)
      assert.equal(errorCode(none), 'TG_STATUS_TOKEN_REQUIRED')
      assert.equal((await debugPost(statusPort, path, 'wrong-token-wrong-token')).status, 401, path)
    }
  })

  it('lists every bad parameter of a profile request in one 400', async () => {
    const answer = await debugPost(statusPort, '/debug/profile?seconds=abc&worker=me&format=pdf&interval_us=1')
    assert.equal(answer.status, 400)
    const message = (answer.json() as { error: { message: string, request_id: string } }).error
    assert.equal(errorCode(answer), 'TG_DEBUG_BAD_REQUEST')
    for (const name of ['seconds', 'worker', 'format', 'interval_us']) assert.match(message.message, new RegExp(name))
    assert.ok(message.request_id.length > 0)
  })

  it('writes a heap snapshot of one worker and answers with its path', async () => {
    const pid = workerPids[1] as number
    const answer = await debugPost(statusPort, `/debug/heap?worker=${pid}`)
    assert.equal(answer.status, 200, answer.body.toString())
    const { path, worker } = answer.json() as { path: string, worker: number }
    assert.equal(worker, pid)
    try {
      assert.ok(statSync(path).size > 1000)
      assert.match(readFileSync(path, 'utf8').slice(0, 200), /"snapshot"/)
    } finally {
      rmSync(path, { force: true })
    }
  })

  it('tollgate profile writes the .cpuprofile and the flame graph page', async () => {
    const out = join(gateway.dir, 'cli.cpuprofile')
    const html = join(gateway.dir, 'cli.html')
    const run = promisify(execFile)
    const { stdout } = await run(process.execPath, [MAIN, 'profile', '-c', gateway.configFile, '--seconds', '1', '--out', out, '--html', html])
    assert.match(stdout, /wrote .*cli\.cpuprofile \(\d+ samples from workers \d+, \d+\)/)
    assert.deepEqual(profileProblems(JSON.parse(readFileSync(out, 'utf8')) as CpuProfile), [])
    assert.match(readFileSync(html, 'utf8'), /^<!doctype html>/)
  })

  describe('the flame graph page in headless Chromium', { skip: skipUnlessChromium() }, () => {
    let browser: Browser
    let page: string

    before(async () => {
      const answer = await debugPost(statusPort, '/debug/profile?seconds=2&format=html&interval_us=100')
      assert.equal(answer.status, 200, answer.body.toString())
      assert.match(String(answer.headers['content-type']), /^text\/html/)
      page = join(ARTIFACTS, 'profiler-flamegraph.html')
      writeFileSync(page, answer.body)
      browser = await launchChromium()
    })

    after(async () => { await browser?.close() })

    it('renders without console errors or requests elsewhere, and search and zoom work', async () => {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
      const errors: string[] = []
      const fetched: string[] = []
      tab.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()) })
      tab.on('pageerror', (error) => errors.push(String(error)))
      tab.on('request', (req) => { if (!req.url().startsWith('file:')) fetched.push(req.url()) })
      await tab.goto(`file://${page}`)
      assert.ok(await tab.locator('.tg-frame').count() > 10, 'frames are drawn')
      assert.ok(await tab.locator('#tg-plugins td', { hasText: 'key-auth' }).count() > 0, 'the plugin table lists key-auth')

      await tab.fill('#tg-search', 'key-auth')
      assert.ok(await tab.locator('.tg-match').count() > 0, 'key-auth frames are highlighted')
      assert.match(await tab.textContent('#tg-found') ?? '', /^matched [\d.]+ ms \([\d.]+ % of the sampled busy time\)$/)

      const worker = tab.locator('.tg-frame', { hasText: /^worker \d+$/ }).first()
      const workerName = await worker.textContent() ?? ''
      await worker.hover()
      assert.match(await tab.textContent('#tg-tip') ?? '', /total [\d.]+ ms/)
      await worker.click()
      assert.match(await tab.textContent('#tg-crumbs') ?? '', new RegExp(`› ${workerName}$`))
      await tab.screenshot({ path: join(ARTIFACTS, 'profiler-flamegraph.png'), fullPage: true })
      await tab.click('#tg-reset')
      assert.equal(await tab.textContent('#tg-crumbs'), '(root)')
      await tab.check('#tg-merge')
      assert.ok(await tab.locator('.tg-frame', { hasText: 'all workers' }).count() === 1, 'workers merged into one tree')

      assert.deepEqual(errors, [])
      assert.deepEqual(fetched, [], 'the page is self-contained')
      assert.ok(existsSync(join(ARTIFACTS, 'profiler-flamegraph.png')))
    })
  })
})
