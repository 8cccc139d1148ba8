import type { PluginDefinition } from '../kit/plugin.js'
import type { PluginContext } from '../kit/context.js'
import type { PhaseResult } from '../kit/plugin.js'

/** A plugin binding compiled for one config version: its plugin, its state and where it applies. */
export interface CompiledBinding {
  readonly id: string
  readonly name: string
  readonly plugin: PluginDefinition<any, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  /** What `plugin.compile` returned (or the validated config when it has no compile). */
  readonly state: unknown
  readonly priority: number
  readonly enabled: boolean
}

/** One plugin in one phase of a chain. */
export interface Step {
  readonly name: string
  readonly priority: number
  readonly binding: CompiledBinding
  readonly state: unknown
}

export type RequestStep = Step & { readonly run: (ctx: PluginContext, state: unknown) => PhaseResult }
export type FilterStep = Step & { readonly run: (ctx: PluginContext, state: unknown) => void }
export type BodyFilterStep = Step & { readonly run: (ctx: PluginContext, state: unknown, chunk: Buffer, last: boolean) => Buffer | undefined }
export type LogStep = Step & { readonly run: (ctx: PluginContext, state: unknown) => void }

/** The per-phase plugin lists of one route (or route × merchant), in run order. */
export interface Chain {
  readonly rewrite: readonly RequestStep[]
  readonly access: readonly RequestStep[]
  readonly content: readonly RequestStep[]
  readonly headerFilter: readonly FilterStep[]
  readonly bodyFilter: readonly BodyFilterStep[]
  readonly log: readonly LogStep[]
  /** Bindings in this chain by plugin name (for tests and the debug header). */
  readonly names: readonly string[]
}

/** Run order within a phase: higher priority first, ties by name (DESIGN.md §3). */
export function compareSteps (a: { priority: number, name: string }, b: { priority: number, name: string }): number {
  if (a.priority !== b.priority) return b.priority - a.priority
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

/** Builds a chain from the effective bindings (one per plugin name; disabled ones are left out). */
export function buildChain (bindings: Iterable<CompiledBinding>): Chain {
  const active = [...bindings].filter((b) => b.enabled).sort(compareSteps)
  const stepsFor = <M extends 'rewrite' | 'access' | 'content' | 'headerFilter' | 'bodyFilter' | 'log'>(method: M) => active
    .filter((b) => typeof b.plugin[method] === 'function')
    .map((b) => ({ name: b.name, priority: b.priority, binding: b, state: b.state, run: (b.plugin[method] as (...args: unknown[]) => unknown).bind(b.plugin) }))
  return {
    rewrite: stepsFor('rewrite') as RequestStep[],
    access: stepsFor('access') as RequestStep[],
    content: stepsFor('content') as RequestStep[],
    headerFilter: stepsFor('headerFilter') as FilterStep[],
    bodyFilter: stepsFor('bodyFilter') as BodyFilterStep[],
    log: stepsFor('log') as LogStep[],
    names: active.map((b) => b.name)
  }
}

/** Index of the first step in `steps` that runs after `current` in phase order. */
export function indexAfter (steps: readonly Step[], current: { priority: number, name: string }): number {
  let i = 0
  while (i < steps.length && compareSteps(steps[i] as Step, current) <= 0) i++
  return i
}
export const EMPTY_CHAIN: Chain = buildChain([])
