import type { HeaderList } from '../../../kit/headers.js'
import type { HeaderRulesConfig } from './schema.js'

interface Pair { readonly name: string, readonly value: string }

/** Header rules with lower-cased names, ready for the request path. */
export interface HeaderRules {
  readonly remove: readonly string[]
  readonly rename: ReadonlyArray<{ readonly from: string, readonly to: string }>
  readonly set: readonly Pair[]
  readonly add: readonly Pair[]
  /** False when there is no rule at all (the plugin skips the headers). */
  readonly any: boolean
}

export function compileHeaderRules (config: HeaderRulesConfig): HeaderRules {
  const pair = (p: { name: string, value: string }): Pair => ({ name: p.name.toLowerCase(), value: p.value })
  const rules = {
    remove: config.remove.map((name) => name.toLowerCase()),
    rename: config.rename.map((r) => ({ from: r.from.toLowerCase(), to: r.to.toLowerCase() })),
    set: config.set.map(pair),
    add: config.add.map(pair)
  }
  return { ...rules, any: rules.remove.length + rules.rename.length + rules.set.length + rules.add.length > 0 }
}

/** Applies the rules in order: remove, rename (every field of the name, in order), set, add. */
export function applyHeaderRules (rules: HeaderRules, headers: HeaderList): void {
  for (const name of rules.remove) headers.delete(name)
  for (const { from, to } of rules.rename) {
    const values = headers.getAll(from)
    if (values.length === 0 || from === to) continue
    headers.delete(from)
    headers.delete(to)
    for (const value of values) headers.append(to, value)
  }
  for (const { name, value } of rules.set) headers.set(name, value)
  for (const { name, value } of rules.add) if (!headers.has(name)) headers.append(name, value)
}
