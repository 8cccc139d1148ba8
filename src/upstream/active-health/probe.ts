import http from 'node:http'
import https from 'node:https'

/** What one check sends. */
export interface ProbeRequest {
  readonly host: string
  readonly port: number
  /** Path and query, e.g. `/health`. */
  readonly path: string
  /** Host header. */
  readonly hostHeader: string
  readonly https: boolean
  /** Verify the target's certificate (https only). */
  readonly tlsVerify: boolean
  readonly timeoutMs: number
  /** TLS server name when `host` is an address resolved from this name; default `host` unless it is an address. */
  readonly servername?: string | undefined
}

/** The outcome of one check: the status when an answer came, else the reason it failed. */
export type ProbeResult = { readonly status: number } | { readonly error: string }

/**
 * Sends one health check (GET, no keep-alive, body read and dropped) and resolves with the status
 * or the error; never rejects. The whole check, connect to last byte, must finish in `timeoutMs`.
 */
export function probe (request: ProbeRequest): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false
    const settle = (result: ProbeResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const options = {
      host: request.host,
      port: request.port,
      path: request.path,
      method: 'GET',
      agent: false,
      headers: { host: request.hostHeader, 'user-agent': 'tollgate-health-check', connection: 'close' },
      ...(request.https ? { rejectUnauthorized: request.tlsVerify, servername: request.servername ?? (isIp(request.host) ? undefined : request.host) } : {})
    }
    const req = (request.https ? https : http).request(options, (res) => {
      res.resume()
      res.on('end', () => settle({ status: res.statusCode ?? 0 }))
      res.on('error', (error) => settle({ error: error.message }))
    })
    const timer = setTimeout(() => {
      settle({ error: `no answer in ${request.timeoutMs} ms` })
      req.destroy()
    }, request.timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.message }))
    req.end()
  })
}

function isIp (host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':')
}
