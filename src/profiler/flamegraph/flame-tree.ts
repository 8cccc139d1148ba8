import { placeNodes, type NodePlace } from '../attribution.js'
import { sampleWeightsUs, type CpuProfile, type ProfileNode } from '../cpuprofile.js'
import { frameLocation, frameName } from '../report.js'

/**
 * One frame of the flame graph as the page receives it, kept small because it is inlined:
 * `[name, location, plugin, phase, selfUs, children]` (plugin and phase are '' when none).
 */
export type FlameNode = [string, string, string, string, number, FlameNode[]]

/**
 * Turns a profile's call tree into the page's nested frames with each frame's self time in µs.
 * `(idle)` is left out: it is time the worker had nothing to do, not a place it spent it (the
 * report still states it), and it would crowd out everything else on a lightly loaded node.
 * Subtrees that were never on top of a sampled stack are dropped.
 */
export function flameTree (profile: CpuProfile, places: Map<number, NodePlace> = placeNodes(profile)): FlameNode {
  const weights = sampleWeightsUs(profile)
  const selfUs = new Map<number, number>()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number
    selfUs.set(id, (selfUs.get(id) ?? 0) + (weights[i] as number))
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const childIds = new Set<number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) childIds.add(child)
  const root = profile.nodes.find((n) => !childIds.has(n.id))
  if (root === undefined) throw new Error('the profile has no root node')

  const convert = (node: ProfileNode): { flame: FlameNode, totalUs: number } | undefined => {
    if (node.callFrame.functionName === '(idle)') return undefined
    const children: FlameNode[] = []
    let totalUs = selfUs.get(node.id) ?? 0
    for (const id of node.children ?? []) {
      const child = byId.get(id)
      const converted = child === undefined ? undefined : convert(child)
      if (converted === undefined) continue
      children.push(converted.flame)
      totalUs += converted.totalUs
    }
    if (totalUs === 0) return undefined
    const place = places.get(node.id)
    const self = Math.round(selfUs.get(node.id) ?? 0)
    return { flame: [frameName(node.callFrame), frameLocation(node.callFrame), place?.plugin ?? '', place?.phase ?? '', self, children], totalUs }
  }
  return convert(root)?.flame ?? ['(root)', '', '', '', 0, []]
}
