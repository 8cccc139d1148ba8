// cors with a real browser: headless Chromium (Debian's package) loads a page from one loopback
// origin and fetch()es the gateway on another port, so the browser's own CORS checks decide.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { launchChromium, skipUnlessChromium } from '../support/chromium.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'

/** Serves one empty HTML page, so the browser has an origin to call from. */
async function pageServer (): Promise<{ origin: string, close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><title>merchant console</title>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }) }
}

/** What a page's fetch() reported: the status and body it could read, or the error it got. */
interface FetchOutcome { ok: true, status: number, body: string, requestId: string | null } 
type Outcome = FetchOutcome | { ok: false, error: string }

function browserFetch (page: Page, url: string, init: { method?: string, headers?: Record<string, string>, credentials?: 'include' | 'omit', body?: string }): Promise<Outcome> {
  return page.evaluate(async ({ url, init }) => {
    try {
      const res = await fetch(url, init)
      return { ok: true as const, status: res.status, body: await res.text(), requestId: res.headers.get('x-request-id') }
    } catch (error) {
      return { ok: false as const, error: String(error) }
    }
  }, { url, init })
}

describe('cors with a real browser', { skip: skipUnlessChromium() }, () => {
  const upstream = new UpstreamServer((req, res, body) => {
    const answer = JSON.stringify({ method: req.method, cookie: req.headers.cookie ?? null, sign: req.headers['x-sign'] ?? null, body: body.toString() })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(answer)
  })
  let gateway: GatewayProcess
  let port: number
  let allowed: Awaited<ReturnType<typeof pageServer>>
  let denied: Awaited<ReturnType<typeof pageServer>>
  let browser: Browser

  before(async () => {
    allowed = await pageServer()
    denied = await pageServer()
    ;({ gateway, port } = await startSuiteGateway(upstream, {
      merchants: [{ id: 'shop', credentials: { api_keys: [{ key: 'key-shop-000001' }] } }],
      routes: [{ id: 'orders', service: 'backend', paths: ['/orders/*'], methods: ['GET', 'PUT'] }],
      plugins: [
        { name: 'cors', route: 'orders', config: { origins: [allowed.origin], credentials: true, max_age_seconds: 0 } },
        { name: 'key-auth', route: 'orders' }
      ]
    }))
    browser = await launchChromium()
  })

  after(async () => {
    await browser?.close()
    await stopSuiteGateway(gateway, upstream)
    await allowed.close()
    await denied.close()
  })

  async function pageAt (origin: string): Promise<Page> {
    const context = await browser.newContext()
    // A cookie for the gateway's host (cookies ignore ports): sent only when credentials are allowed.
    await context.addCookies([{ name: 'session', value: 'abc123', domain: '127.0.0.1', path: '/' }])
    const page = await context.newPage()
    await page.goto(`${origin}/`)
    return page
  }

  it('lets the allowed origin make a preflighted PUT with a custom header and credentials', async () => {
    const page = await pageAt(allowed.origin)
    const seen = upstream.seen.length
    const outcome = await browserFetch(page, `http://127.0.0.1:${port}/orders/7`, {
      method: 'PUT',
      credentials: 'include',
      headers: { apikey: 'key-shop-000001', 'x-sign': 'sig-1', 'content-type': 'application/json' },
      body: '{"qty":2}'
    })
    assert.equal(outcome.ok, true, JSON.stringify(outcome))
    if (!outcome.ok) return
    assert.equal(outcome.status, 200)
    assert.deepEqual(JSON.parse(outcome.body), { method: 'PUT', cookie: 'session=abc123', sign: 'sig-1', body: '{"qty":2}' })
    assert.match(outcome.requestId ?? '', /./, 'x-request-id is exposed to the script')
    // The preflight was answered by the gateway: only the PUT reached the upstream.
    assert.deepEqual(upstream.seen.slice(seen).map((r) => r.method), ['PUT'])
    await page.context().close()
  })

  it('lets the allowed origin read the gateway\'s 401 (CORS headers on error replies)', async () => {
    const page = await pageAt(allowed.origin)
    const outcome = await browserFetch(page, `http://127.0.0.1:${port}/orders/7`, { credentials: 'include' })
    assert.equal(outcome.ok, true, JSON.stringify(outcome))
    if (!outcome.ok) return
    assert.equal(outcome.status, 401)
    assert.equal((JSON.parse(outcome.body) as { error: { code: string } }).error.code, 'TG_AUTH_KEY_MISSING')
    await page.context().close()
  })

  it('blocks a disallowed origin in the browser, for a simple GET and a preflighted PUT', async () => {
    const page = await pageAt(denied.origin)
    const seen = upstream.seen.length
    const simple = await browserFetch(page, `http://127.0.0.1:${port}/orders/7`, { headers: { apikey: 'key-shop-000001' } })
    assert.equal(simple.ok, false, JSON.stringify(simple))
    const preflighted = await browserFetch(page, `http://127.0.0.1:${port}/orders/7`, { method: 'PUT', headers: { apikey: 'key-shop-000001', 'x-sign': 's' }, body: 'x' })
    assert.equal(preflighted.ok, false, JSON.stringify(preflighted))
    // `apikey` is not a safelisted header, so even the GET was preflighted and refused: nothing proxied.
    assert.equal(upstream.seen.length, seen)
    await page.context().close()
  })

  it('answers the disallowed preflight 403 TG_CORS_ORIGIN_FORBIDDEN without allow headers (seen without a browser)', async () => {
    const res = await request(port, { method: 'OPTIONS', path: '/orders/7', headers: { origin: denied.origin, 'access-control-request-method': 'PUT' } })
    assert.equal(res.status, 403)
    assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_CORS_ORIGIN_FORBIDDEN')
    assert.equal(res.headers['access-control-allow-origin'], undefined)
    assert.equal(res.headers.vary, 'Origin')
  })
})
