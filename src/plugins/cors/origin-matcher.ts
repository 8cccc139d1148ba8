/** Decides whether an `Origin` request header is allowed; compiled once per binding. */
export interface OriginMatcher {
  /** True when every origin is allowed (`*` in the list). */
  readonly any: boolean
  allows (origin: string): boolean
}

/** Regex text of one host label: what a `*` in a host pattern stands for (one or more labels). */
const LABELS = '[a-z0-9-]+(?:\\.[a-z0-9-]+)*'

function escapeRegex (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * `https://*.example.com` → a regex where each `*` matches one or more DNS labels, so it admits
 * `https://a.example.com` and `https://a.b.example.com` but not `https://example.com` nor
 * `https://example.com.evil.test` (the pattern is anchored at both ends).
 */
function hostPattern (pattern: string): RegExp {
  return new RegExp(`^${pattern.toLowerCase().split('*').map(escapeRegex).join(LABELS)}$`)
}

/**
 * Compiles the `origins` list. Exact entries compare after lower-casing (browsers serialise scheme
 * and host in lower case); `~regex` entries are anchored at both ends so a regex written for a
 * host cannot match a longer, attacker-owned origin. Throws on a regex that does not compile.
 */
export function compileOrigins (origins: readonly string[]): OriginMatcher {
  const exact = new Set<string>()
  const patterns: RegExp[] = []
  let any = false
  for (const entry of origins) {
    if (entry === '*') any = true
    else if (entry.startsWith('~')) {
      try {
        patterns.push(new RegExp(`^(?:${entry.slice(1)})$`, 'i'))
      } catch (error) {
        throw new Error(`origins: '${entry}' is not a valid regular expression: ${(error as Error).message}`)
      }
    } else if (entry.includes('*')) patterns.push(hostPattern(entry))
    else exact.add(entry.toLowerCase())
  }
  return {
    any,
    allows (origin: string): boolean {
      if (any) return true
      const lower = origin.toLowerCase()
      if (exact.has(lower)) return true
      for (const pattern of patterns) if (pattern.test(lower)) return true
      return false
    }
  }
}
