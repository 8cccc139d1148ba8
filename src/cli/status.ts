import { request } from 'node:http'
import { loadGatewayConfig } from '../server/load-config.js'
import { formatProblems } from '../config/problems.js'
import type { CommonOptions } from './args.js'

/** Where to reach a listener bound to `host`: the wildcard addresses are reached on loopback. */
function connectHost (host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '::1'
  return host
}

/** GETs `path` from the status listener the config file names; resolves with status and body. */
export async function getFromStatusListener (configPath: string, path: string, timeoutMs: number): Promise<{ status: number, body: string }> {
  const loaded = await loadGatewayConfig(configPath)
  if (!loaded.ok) throw new Error(`the configuration is invalid:\n${formatProblems(loaded.problems)}`)
  const status = loaded.config.gateway.status
  if (status === undefined) throw new Error('gateway.status is not configured in this file: the status listener is off')
  const headers: Record<string, string> = status.token === undefined ? {} : { authorization: `Bearer ${status.token}` }
  return await new Promise((resolve, reject) => {
    const req = request({ host: connectHost(status.host), port: status.port, path, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`no answer from the status listener at ${status.host}:${status.port} within ${timeoutMs} ms`)))
    req.on('error', (error) => reject(new Error(`cannot reach the status listener at ${status.host}:${status.port}: ${error.message}`)))
    req.end()
  })
}

/** `tollgate status -c FILE`: prints GET /status of the running gateway; exit 0 when it answered 200. */
export async function status (options: CommonOptions): Promise<number> {
  if (options.config === undefined) throw new Error('-c/--config FILE is required')
  const answer = await getFromStatusListener(options.config, '/status', options.timeoutSeconds * 1000)
  const out = answer.status === 200 ? process.stdout : process.stderr
  const body = answer.status === 200 ? await withUpstreams(options.config, answer.body, options.timeoutSeconds * 1000) : answer.body
  out.write(body.endsWith('\n') ? body : `${body}\n`)
  return answer.status === 200 ? 0 : 1
}

/** /status with the upstream health report (GET /status/upstreams) added as `upstreams`, when both are JSON. */
async function withUpstreams (configPath: string, statusBody: string, timeoutMs: number): Promise<string> {
  try {
    const upstreams = await getFromStatusListener(configPath, '/status/upstreams', timeoutMs)
    if (upstreams.status !== 200) return statusBody
    const merged = { ...(JSON.parse(statusBody) as Record<string, unknown>), upstreams: JSON.parse(upstreams.body) as unknown }
    return JSON.stringify(merged, null, 2)
  } catch {
    return statusBody
  }
}
