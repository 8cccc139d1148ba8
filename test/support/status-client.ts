import { request, type TestResponse } from './http-client.js'

/** GET (or another method) on a gateway's status listener, with the token when given. */
export function statusRequest (port: number, path: string, token?: string, method = 'GET'): Promise<TestResponse> {
  return request(port, { method, path, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
}

/** Polls `check` every 100 ms until it returns true (or throws after `timeoutMs` with `what`). */
export async function eventually (what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting until ${what}`)
}

/** The value of one sample line (`name{labels} value`) in a Prometheus text page; undefined when absent. */
export function sampleValue (page: string, series: string): number | undefined {
  for (const line of page.split('\n')) {
    if (line.startsWith(series + ' ')) return Number(line.slice(series.length + 1))
  }
  return undefined
}
