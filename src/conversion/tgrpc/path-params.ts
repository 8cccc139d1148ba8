/**
 * Path parameters of a TG-RPC route: a template such as "/orders/{order_id}/items/{item}"
 * compiled once into a matcher that turns a request path into named values.
 */
const PARAM = /\{([a-z][a-z0-9_]{0,63})\}/g

export interface PathParams {
  readonly names: readonly string[]
  /** The values in `names` order, or undefined when the path does not fit the template. */
  match (path: string): string[] | undefined
}

/** Why a template is unusable, or undefined when it is fine (used by config validation). */
export function pathTemplateProblem (template: string): string | undefined {
  const names = [...template.matchAll(PARAM)].map((m) => m[1] as string)
  if (names.length === 0) return 'the template names no parameter (write them as {name}, lower case)'
  if (new Set(names).size !== names.length) return 'a parameter name appears twice'
  if (/[{}]/.test(template.replace(PARAM, ''))) return 'braces must enclose a lower-case parameter name'
  return undefined
}

/** Compiles a template that passed `pathTemplateProblem`. A parameter matches one path segment. */
export function compilePathParams (template: string): PathParams {
  const names: string[] = []
  let pattern = '^'
  let last = 0
  for (const match of template.matchAll(PARAM)) {
    pattern += escapeRegExp(template.slice(last, match.index)) + '([^/]+)'
    names.push(match[1] as string)
    last = (match.index ?? 0) + match[0].length
  }
  const regex = new RegExp(pattern + escapeRegExp(template.slice(last)) + '$')
  return {
    names,
    match (path) {
      const found = regex.exec(path)
      if (found === null) return undefined
      return found.slice(1).map(decodeSegment)
    }
  }
}

function decodeSegment (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
