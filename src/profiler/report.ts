import { placeNodes, type NodePlace } from './attribution.js'
import { sampleWeightsUs, type CallFrame, type CpuProfile } from './cpuprofile.js'

/** Self and total time of one plugin, phase or frame; percentages are of busy (non-idle) time. */
export interface TimeShare {
  readonly name: string
  readonly selfMs: number
  readonly totalMs: number
  readonly selfPercent: number
  readonly totalPercent: number
}

export interface FrameShare {
  readonly functionName: string
  /** `file:line` (1-based) with the path shortened after dist/, src/ or node_modules/. */
  readonly location: string
  readonly plugin: string | undefined
  readonly selfMs: number
  readonly selfPercent: number
}

/** The summary returned with `format=json-report` and shown under the flame graph. */
export interface ProfileReport {
  readonly samples: number
  readonly sampledMs: number
  readonly busyMs: number
  readonly idleMs: number
  readonly workers: ReadonlyArray<{ pid: number, samples: number, busyMs: number }>
  readonly plugins: readonly TimeShare[]
  readonly phases: readonly TimeShare[]
  readonly topFrames: readonly FrameShare[]
}

/** V8's frame for time the thread had nothing to do. */
const IDLE = '(idle)'
/** The phase row of busy time no phase claims: ingress, routing, Node.js I/O callbacks, GC. */
export const OUTSIDE_PHASES = '(outside phases)'

/** Tollgate's own JavaScript (src/ or its build in dist/src/, plugins included), not Node.js, V8 or a dependency. */
function isOwnCode (frame: CallFrame): boolean {
  return frame.url.includes('/src/') && !frame.url.includes('/node_modules/')
}

/** A frame's name as people read it. */
export function frameName (frame: CallFrame): string {
  return frame.functionName === '' ? '(anonymous)' : frame.functionName
}

/** `file:line` of a frame, shortened to the part that names the project or package. */
export function frameLocation (frame: CallFrame): string {
  if (frame.url === '') return ''
  const path = frame.url.replace(/^file:\/\//, '')
  // The last node_modules/ names the package; otherwise the first dist/ or src/ starts the project's path.
  const short = path.includes('/node_modules/')
    ? path.replace(/^.*\/node_modules\//, 'node_modules/')
    : path.replace(/^.*?\/(dist|src)\//, '$1/')
  return frame.lineNumber >= 0 ? `${short}:${frame.lineNumber + 1}` : short
}

class Tally {
  readonly self = new Map<string, number>()
  readonly total = new Map<string, number>()
  add (map: Map<string, number>, key: string, us: number): void { map.set(key, (map.get(key) ?? 0) + us) }
  shares (busyUs: number): TimeShare[] {
    return [...this.total.keys()].map((name) => share(name, this.self.get(name) ?? 0, this.total.get(name) ?? 0, busyUs))
      .sort((a, b) => b.totalMs - a.totalMs || a.name.localeCompare(b.name))
  }
}

function share (name: string, selfUs: number, totalUs: number, busyUs: number): TimeShare {
  return { name, selfMs: ms(selfUs), totalMs: ms(totalUs), selfPercent: percent(selfUs, busyUs), totalPercent: percent(totalUs, busyUs) }
}
const ms = (us: number): number => Math.round(us / 10) / 100
const percent = (part: number, whole: number): number => whole === 0 ? 0 : Math.round(1000 * part / whole) / 10

/**
 * Attributes a (merged) profile's samples: per plugin (self = its own code on top of the stack,
 * total = any of its frames on the stack), per phase (total = every sample while the phase runs,
 * whatever code is on top; self = those with Tollgate's own JavaScript on top, not Node.js, V8 or
 * a dependency), and the frames with the most self time.
 */
export function buildReport (profile: CpuProfile, topCount = 30, places: Map<number, NodePlace> = placeNodes(profile)): ProfileReport {
  const weights = sampleWeightsUs(profile)
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
  const plugins = new Tally()
  const phases = new Tally()
  const frameSelf = new Map<string, { frame: CallFrame, plugin: string | undefined, us: number }>()
  const workers = new Map<number, { samples: number, busyUs: number }>()
  let sampledUs = 0
  let idleUs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number
    const us = weights[i] as number
    const frame = frames.get(id)
    const place = places.get(id)
    sampledUs += us
    const idle = frame?.functionName === IDLE
    if (idle) idleUs += us
    if (place?.worker !== undefined) {
      const tally = workers.get(place.worker) ?? { samples: 0, busyUs: 0 }
      tally.samples++
      if (!idle) tally.busyUs += us
      workers.set(place.worker, tally)
    }
    if (idle || frame === undefined || place === undefined) continue
    if (place.plugin !== undefined) plugins.add(plugins.self, place.plugin, us)
    for (const name of place.plugins) plugins.add(plugins.total, name, us)
    const phase = place.phase ?? OUTSIDE_PHASES
    phases.add(phases.total, phase, us)
    if (isOwnCode(frame)) phases.add(phases.self, phase, us)
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`
    const entry = frameSelf.get(key) ?? { frame, plugin: place.plugin, us: 0 }
    entry.us += us
    frameSelf.set(key, entry)
  }
  const busyUs = sampledUs - idleUs
  return {
    samples: profile.samples.length,
    sampledMs: ms(sampledUs),
    busyMs: ms(busyUs),
    idleMs: ms(idleUs),
    workers: [...workers].map(([pid, t]) => ({ pid, samples: t.samples, busyMs: ms(t.busyUs) })),
    plugins: plugins.shares(busyUs),
    phases: phases.shares(busyUs),
    topFrames: [...frameSelf.values()].sort((a, b) => b.us - a.us).slice(0, topCount).map((e) => ({
      functionName: frameName(e.frame),
      location: frameLocation(e.frame),
      plugin: e.plugin,
      selfMs: ms(e.us),
      selfPercent: percent(e.us, busyUs)
    }))
  }
}
