import { placeNodes } from './attribution.js'
import type { CpuProfile } from './cpuprofile.js'
import { flameTree } from './flamegraph/flame-tree.js'
import { renderFlamePage } from './flamegraph/page.js'
import { buildReport, type ProfileReport } from './report.js'

export const PROFILE_FORMATS = ['cpuprofile', 'html', 'json-report'] as const
export type ProfileFormat = typeof PROFILE_FORMATS[number]

/** How a profile was taken, for the page's heading and the report. */
export interface ProfileMeta {
  readonly seconds: number
  readonly intervalUs: number
  readonly takenAt: Date
  readonly workers: readonly number[]
  readonly failed: ReadonlyArray<{ pid: number, reason: string }>
}

/** A profile rendered for an answer or a file. */
export interface RenderedProfile {
  readonly contentType: string
  readonly fileName: string
  readonly body: string
}

/** The JSON report with how the profile was taken. */
export interface JsonReport extends ProfileReport {
  readonly seconds: number
  readonly intervalUs: number
  readonly takenAt: string
  readonly failedWorkers: ReadonlyArray<{ pid: number, reason: string }>
}

export function jsonReport (profile: CpuProfile, meta: ProfileMeta): JsonReport {
  return { seconds: meta.seconds, intervalUs: meta.intervalUs, takenAt: meta.takenAt.toISOString(), failedWorkers: meta.failed, ...buildReport(profile) }
}

/** The flame graph page of a profile (attribution computed once for the chart and the tables). */
export function flamePage (profile: CpuProfile, meta: ProfileMeta): string {
  const places = placeNodes(profile)
  const failed = meta.failed.length === 0 ? '' : `; left out: ${meta.failed.map((f) => `${f.pid} (${f.reason})`).join(', ')}`
  return renderFlamePage({
    title: `Tollgate CPU profile, ${meta.takenAt.toISOString()}`,
    subtitle: `${meta.seconds} s on worker${meta.workers.length === 1 ? '' : 's'} ${meta.workers.join(', ')}, one sample every ${meta.intervalUs} µs${failed}`,
    tree: flameTree(profile, places),
    report: buildReport(profile, 30, places)
  })
}

export function renderProfile (profile: CpuProfile, format: ProfileFormat, meta: ProfileMeta): RenderedProfile {
  const stamp = meta.takenAt.toISOString().replace(/[:.]/g, '-')
  switch (format) {
    case 'cpuprofile':
      return { contentType: 'application/json', fileName: `tollgate-${stamp}.cpuprofile`, body: JSON.stringify(profile) }
    case 'html':
      return { contentType: 'text/html; charset=utf-8', fileName: `tollgate-${stamp}.html`, body: flamePage(profile, meta) }
    case 'json-report':
      return { contentType: 'application/json', fileName: `tollgate-${stamp}.report.json`, body: JSON.stringify(jsonReport(profile, meta), null, 2) + '\n' }
  }
}
