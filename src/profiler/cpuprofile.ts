/**
 * The `.cpuprofile` format as V8's `Profiler.stop` returns it and Chrome DevTools and speedscope
 * read it. Times are microseconds; `samples[i]` is the id of the node on top of the stack at sample
 * `i`, taken `timeDeltas[i]` µs after sample `i - 1` (the first after `startTime`).
 */
export interface CallFrame {
  functionName: string
  scriptId: string
  url: string
  /** 0-based. */
  lineNumber: number
  /** 0-based. */
  columnNumber: number
}

export interface ProfileNode {
  id: number
  callFrame: CallFrame
  hitCount?: number
  children?: number[]
  positionTicks?: Array<{ line: number, ticks: number }>
}

export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/**
 * How long each sample stands for, in µs: the gap to the next sample (the last one runs to
 * `endTime`). This is how DevTools weighs samples, so the figures here match what it shows.
 */
export function sampleWeightsUs (profile: CpuProfile): Float64Array {
  const count = profile.samples.length
  const weights = new Float64Array(count)
  let at = profile.startTime
  const stamps = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    at += profile.timeDeltas[i] ?? 0
    stamps[i] = at
  }
  for (let i = 0; i < count; i++) {
    const next = i + 1 < count ? stamps[i + 1] as number : Math.max(profile.endTime, stamps[i] as number)
    weights[i] = Math.max(0, next - (stamps[i] as number))
  }
  return weights
}

/** Problems that make a profile unreadable by DevTools; empty when it is valid. */
export function profileProblems (profile: CpuProfile): string[] {
  const problems: string[] = []
  const ids = new Set<number>()
  for (const node of profile.nodes) {
    if (ids.has(node.id)) problems.push(`node id ${node.id} is used twice`)
    ids.add(node.id)
  }
  const parents = new Map<number, number>()
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      if (!ids.has(child)) problems.push(`node ${node.id} lists a missing child ${child}`)
      if (parents.has(child)) problems.push(`node ${child} has two parents`)
      parents.set(child, node.id)
    }
  }
  const roots = profile.nodes.filter((n) => !parents.has(n.id))
  if (roots.length !== 1) problems.push(`expected one root node, found ${roots.length}`)
  if (profile.samples.length !== profile.timeDeltas.length) problems.push('samples and timeDeltas differ in length')
  for (const id of profile.samples) {
    if (!ids.has(id)) { problems.push(`a sample names a missing node ${id}`); break }
  }
  if (!(profile.endTime >= profile.startTime)) problems.push('endTime is before startTime')
  return problems
}
