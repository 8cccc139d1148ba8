// Query rules on the raw query string: parameters no rule names keep their bytes exactly; names are
// compared after percent-decoding; new names and values are written percent-encoded.
import type { QueryRulesConfig } from '../_shared/transform/schema.js'

export type QueryRules = QueryRulesConfig & { readonly any: boolean }

export function compileQueryRules (config: QueryRulesConfig): QueryRules {
  return { ...config, any: config.remove.length + config.rename.length + config.set.length + config.add.length > 0 }
}

function decode (text: string): string {
  const plain = text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(plain)
  } catch {
    return plain
  }
}

interface Param { name: string, raw: string }

function split (query: string): Param[] {
  if (query === '') return []
  return query.split('&').map((raw) => {
    const eq = raw.indexOf('=')
    return { name: decode(eq === -1 ? raw : raw.slice(0, eq)), raw }
  })
}

function encoded (name: string, value: string): Param {
  return { name, raw: `${encodeURIComponent(name)}=${encodeURIComponent(value)}` }
}

/** The query after the rules, in order: remove, rename, set (replaces every occurrence), add (when absent). */
export function applyQueryRules (rules: QueryRules, query: string): string {
  let params = split(query)
  for (const name of rules.remove) params = params.filter((p) => p.name !== name)
  for (const { from, to } of rules.rename) {
    if (from === to || !params.some((p) => p.name === from)) continue
    params = params.filter((p) => p.name !== to).map((p) => {
      if (p.name !== from) return p
      const eq = p.raw.indexOf('=')
      return { name: to, raw: encodeURIComponent(to) + (eq === -1 ? '' : p.raw.slice(eq)) }
    })
  }
  for (const { name, value } of rules.set) {
    const at = params.findIndex((p) => p.name === name)
    const kept = params.filter((p) => p.name !== name)
    kept.splice(at === -1 ? kept.length : at, 0, encoded(name, value))
    params = kept
  }
  for (const { name, value } of rules.add) if (!params.some((p) => p.name === name)) params.push(encoded(name, value))
  return params.map((p) => p.raw).join('&')
}
