import { PHASES } from '../pipeline/phases.js'
import type { CallFrame, CpuProfile, ProfileNode } from './cpuprofile.js'
import { WORKER_FRAME_PREFIX } from './merge.js'

/** What the request path is doing in a frame: a plugin phase, or the upstream exchange. */
export type PhaseLabel = typeof PHASES[number] | 'proxy'

const PHASE_NAMES: ReadonlySet<string> = new Set(PHASES)

// `/plugins/<name>/…` in dist or src paths, or a third-party plugin file `/plugins/<name>.mjs`.
const PLUGIN_PATH = /\/plugins\/([^/]+?)(?:\/|\.m?js$|\.ts$)/

/**
 * The plugin a frame's code belongs to, or undefined. `_shared` holds code two plugins use and
 * is nobody's own; code under node_modules is a dependency even when a folder is called plugins.
 */
export function pluginOfUrl (url: string): string | undefined {
  if (url === '' || url.includes('/node_modules/')) return undefined
  const match = PLUGIN_PATH.exec(url)
  if (match === null) return undefined
  const name = match[1] as string
  return name === '_shared' ? undefined : name
}

/**
 * Pipeline functions that say which phase runs below them (src/pipeline/*, src/proxy/*).
 * `enterPhase` runs rewrite, access or content; its caller tells which (handle-request.ts).
 */
const PIPELINE_PHASES: Readonly<Record<string, PhaseLabel>> = {
  runHeaderFilters: 'headerFilter',
  runBodyFilters: 'bodyFilter',
  finishRequest: 'log',
  afterRewrite: 'access',
  afterAccess: 'content',
  proxy: 'proxy'
}
const ENTER_PHASE_BY_CALLER: Readonly<Record<string, PhaseLabel>> = {
  handleRequest: 'rewrite',
  afterRewrite: 'access',
  afterAccess: 'content'
}
const PROXY_CODE = /\/src\/(proxy|upstream)\//
const PIPELINE_CODE = /\/src\/pipeline\//

/**
 * The phase a frame starts, given its caller's frame, or undefined when it runs in whatever phase
 * its callers are in. A plugin's phase method is named after the phase (`access`, `log`, …);
 * code under src/proxy and src/upstream is the upstream exchange of the content phase.
 */
export function phaseOfFrame (frame: CallFrame, caller: CallFrame | undefined): PhaseLabel | undefined {
  const name = frame.functionName
  if (pluginOfUrl(frame.url) !== undefined) return PHASE_NAMES.has(name) ? name as PhaseLabel : undefined
  if (PIPELINE_CODE.test(frame.url)) {
    if (name === 'enterPhase' && caller !== undefined) return ENTER_PHASE_BY_CALLER[caller.functionName]
    return PIPELINE_PHASES[name]
  }
  if (PROXY_CODE.test(frame.url)) return 'proxy'
  return undefined
}

/** Where one node of the call tree stands: its worker, its innermost phase, plugins on its path. */
export interface NodePlace {
  readonly worker: number | undefined
  /**
   * The innermost phase on the path from the root to this node. Phases follow one another inside
   * one stack when nothing waits (rewrite's runner calls on into access, then content), so only
   * the innermost one is the phase running.
   */
  readonly phase: PhaseLabel | undefined
  /** The plugin whose code this node's frame is. */
  readonly plugin: string | undefined
  /** Every plugin with a frame on the path. */
  readonly plugins: ReadonlySet<string>
}

const NOWHERE: NodePlace = { worker: undefined, phase: undefined, plugin: undefined, plugins: new Set() }

/** Places every node of a profile (keyed by node id) with one walk from the root down. */
export function placeNodes (profile: CpuProfile): Map<number, NodePlace> {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]))
  const childIds = new Set<number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) childIds.add(child)
  const places = new Map<number, NodePlace>()
  const stack: Array<{ node: ProfileNode, parent: NodePlace, caller: CallFrame | undefined }> = profile.nodes
    .filter((n) => !childIds.has(n.id)).map((node) => ({ node, parent: NOWHERE, caller: undefined }))
  while (stack.length > 0) {
    const { node, parent, caller } = stack.pop() as { node: ProfileNode, parent: NodePlace, caller: CallFrame | undefined }
    const place = placeOf(node.callFrame, parent, caller)
    places.set(node.id, place)
    for (const child of node.children ?? []) {
      const childNode = byId.get(child)
      if (childNode !== undefined) stack.push({ node: childNode, parent: place, caller: node.callFrame })
    }
  }
  return places
}

function placeOf (frame: CallFrame, parent: NodePlace, caller: CallFrame | undefined): NodePlace {
  let worker = parent.worker
  if (frame.url === '' && frame.functionName.startsWith(WORKER_FRAME_PREFIX)) {
    const pid = Number(frame.functionName.slice(WORKER_FRAME_PREFIX.length))
    if (Number.isInteger(pid)) worker = pid
  }
  const plugin = pluginOfUrl(frame.url)
  const phase = phaseOfFrame(frame, caller)
  return {
    worker,
    phase: phase ?? parent.phase,
    plugin,
    plugins: plugin === undefined || parent.plugins.has(plugin) ? parent.plugins : new Set([...parent.plugins, plugin])
  }
}
