import type { CallFrame, CpuProfile, ProfileNode } from './cpuprofile.js'

/** One worker's profile and the pid it came from. */
export interface WorkerProfile {
  readonly pid: number
  readonly profile: CpuProfile
}

/** The prefix of the synthetic node that holds one worker's call tree. */
export const WORKER_FRAME_PREFIX = 'worker '

function syntheticFrame (functionName: string): CallFrame {
  return { functionName, scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }
}

/**
 * Merges worker profiles into one `.cpuprofile`: a synthetic `(root)` with one child per worker,
 * named `worker <pid>`, under which that worker's own call tree hangs unchanged (ids renumbered so
 * they stay unique). Samples are laid end to end in time: worker A's window, then worker B's,
 * shifted to start where A's ended. So DevTools and speedscope show each worker's samples with
 * their true durations (interleaving concurrent samples would halve every one of them), and the
 * timeline view reads as "worker A, then worker B".
 */
export function mergeWorkerProfiles (parts: readonly WorkerProfile[]): CpuProfile {
  if (parts.length === 0) throw new Error('mergeWorkerProfiles needs at least one profile')
  const root: ProfileNode = { id: 1, callFrame: syntheticFrame('(root)'), hitCount: 0, children: [] }
  const nodes: ProfileNode[] = [root]
  const samples: number[] = []
  const timeDeltas: number[] = []
  let nextId = 2
  const startTime = (parts[0] as WorkerProfile).profile.startTime
  let cursor = startTime // where the next worker's window starts on the merged timeline
  let lastStamp = startTime

  for (const { pid, profile } of parts) {
    const workerNode: ProfileNode = { id: nextId++, callFrame: syntheticFrame(`${WORKER_FRAME_PREFIX}${pid}`), hitCount: 0, children: [] }
    root.children?.push(workerNode.id)
    nodes.push(workerNode)
    const ownRoot = findRoot(profile)
    const newIds = new Map<number, number>([[ownRoot.id, workerNode.id]])
    for (const node of profile.nodes) {
      if (node !== ownRoot) newIds.set(node.id, nextId++)
    }
    workerNode.children = (ownRoot.children ?? []).map((id) => newIds.get(id) as number)
    workerNode.hitCount = ownRoot.hitCount ?? 0
    for (const node of profile.nodes) {
      if (node === ownRoot) continue
      const copy: ProfileNode = { ...node, id: newIds.get(node.id) as number, callFrame: { ...node.callFrame } }
      if (node.children !== undefined) copy.children = node.children.map((id) => newIds.get(id) as number)
      nodes.push(copy)
    }
    const shift = cursor - profile.startTime
    let stamp = profile.startTime
    for (let i = 0; i < profile.samples.length; i++) {
      stamp += profile.timeDeltas[i] ?? 0
      const shifted = stamp + shift
      samples.push(newIds.get(profile.samples[i] as number) ?? workerNode.id)
      timeDeltas.push(Math.max(0, shifted - lastStamp))
      lastStamp = Math.max(lastStamp, shifted)
    }
    cursor = Math.max(lastStamp, profile.endTime + shift)
  }
  return { nodes, startTime, endTime: cursor, samples, timeDeltas }
}

/** The node no other node lists as a child (V8 puts it first, but that is not promised). */
function findRoot (profile: CpuProfile): ProfileNode {
  const children = new Set<number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) children.add(child)
  const root = profile.nodes.find((node) => !children.has(node.id))
  if (root === undefined) throw new Error('the profile has no root node')
  return root
}
