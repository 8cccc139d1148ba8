import { writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { formatProblems } from '../config/problems.js'
import type { CpuProfile } from '../profiler/cpuprofile.js'
import { profileProblems } from '../profiler/cpuprofile.js'
import { flamePage, jsonReport } from '../profiler/profile-formats.js'
import { loadGatewayConfig } from '../server/load-config.js'
import { parseProfileOptions, type ProfileCommandOptions } from './profile-args.js'

interface StatusAddress {
  readonly base: URL
  readonly token: string | undefined
}

/** The status listener's URL and token: from the options, else from the config's gateway.status. */
async function statusAddress (options: ProfileCommandOptions): Promise<StatusAddress> {
  const envToken = process.env.TOLLGATE_STATUS_TOKEN
  if (options.status !== undefined) return { base: new URL(options.status), token: options.token ?? envToken }
  const loaded = await loadGatewayConfig(options.config as string)
  if (!loaded.ok) throw new Error(`the configuration is invalid:\n${formatProblems(loaded.problems)}`)
  const status = loaded.config.gateway.status
  if (status === undefined) throw new Error('the config has no gateway.status section: the status listener is off')
  if (status.port === 0) throw new Error('gateway.status.port is 0 (a free port picked at start): pass --status http://HOST:PORT as logged')
  // The wildcard addresses are reached on loopback.
  const host = status.host === '0.0.0.0' ? '127.0.0.1' : status.host === '::' ? '[::1]' : status.host.includes(':') ? `[${status.host}]` : status.host
  return { base: new URL(`http://${host}:${status.port}`), token: options.token ?? envToken ?? status.token }
}

/** POSTs to the status listener and buffers the answer; no time limit (a profile takes a while). */
function post (url: URL, token: string | undefined): Promise<{ status: number, headers: Record<string, string | string[] | undefined>, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * `tollgate profile`: asks the status listener for a merged `.cpuprofile` of the chosen workers,
 * writes it to --out, and with --html renders the flame graph page from the same profile here.
 * Prints the busiest plugins and phases.
 */
export async function profileCommand (options: ProfileCommandOptions): Promise<number> {
  const { base, token } = await statusAddress(options)
  const url = new URL('/debug/profile', base)
  url.searchParams.set('seconds', String(options.seconds))
  url.searchParams.set('worker', options.worker)
  url.searchParams.set('format', 'cpuprofile')
  if (options.intervalUs !== undefined) url.searchParams.set('interval_us', String(options.intervalUs))
  process.stderr.write(`profiling ${options.worker === 'all' ? 'all workers' : `worker ${options.worker}`} for ${options.seconds} s via ${base.origin} ...\n`)
  const takenAt = new Date()
  const answer = await post(url, token)
  if (answer.status !== 200) throw new Error(`the status listener answered ${answer.status}: ${answer.body.trim()}`)
  const profile = JSON.parse(answer.body) as CpuProfile
  const problems = profileProblems(profile)
  if (problems.length > 0) throw new Error(`the profile received is not valid: ${problems.join('; ')}`)
  writeFileSync(options.out, answer.body)
  const workers = String(answer.headers['x-tollgate-profiled-workers'] ?? '').split(',').filter((w) => w !== '').map(Number)
  const failedHeader = String(answer.headers['x-tollgate-failed-workers'] ?? '')
  const failed = failedHeader === '' ? [] : failedHeader.split(',').map((pid) => ({ pid: Number(pid), reason: 'did not send a profile' }))
  const meta = { seconds: options.seconds, intervalUs: options.intervalUs ?? 1000, takenAt, workers, failed }
  process.stdout.write(`wrote ${options.out} (${profile.samples.length} samples from worker${workers.length === 1 ? '' : 's'} ${workers.join(', ')})\n`)
  if (options.html !== undefined) {
    writeFileSync(options.html, flamePage(profile, meta))
    process.stdout.write(`wrote ${options.html}\n`)
  }
  const report = jsonReport(profile, meta)
  process.stdout.write(`busy ${report.busyMs} ms of ${report.sampledMs} ms sampled\n`)
  for (const p of report.plugins.slice(0, 8)) process.stdout.write(`  plugin ${p.name}: total ${p.totalPercent} %, self ${p.selfPercent} %\n`)
  for (const p of report.phases) process.stdout.write(`  phase ${p.name}: total ${p.totalPercent} %, self ${p.selfPercent} %\n`)
  if (failed.length > 0) process.stderr.write(`left out (no profile): ${failed.map((f) => f.pid).join(', ')}\n`)
  return 0
}

/** `tollgate profile ARGS` as the CLI dispatches it. */
export function profileCli (args: string[]): Promise<number> {
  return profileCommand(parseProfileOptions(args))
}
