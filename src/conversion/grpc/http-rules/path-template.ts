/**
 * HTTP rule path templates (`/v1/{name=shelves/*}/books/{book.id}:publish`): literals, `*` (one
 * segment), `**` (any number of segments, last only), variables naming a field path with an
 * optional sub-template, and a trailing `:verb`. Compiled once into a regular expression.
 */

/** A variable of a template: the request field it fills (original field names) and whether it spans segments. */
export interface TemplateVariable {
  readonly fieldPath: readonly string[]
  readonly multiSegment: boolean
}

export interface PathTemplate {
  readonly text: string
  readonly variables: readonly TemplateVariable[]
  /** Literal segments, to try more specific templates first. */
  readonly literalCount: number
  /** The variable values in `variables` order (percent-decoded), or undefined when `path` does not fit. */
  match (path: string): string[] | undefined
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/
const LITERAL = /^[A-Za-z0-9\-._~%!$&'()+,;=@]+$/

/** Thrown for a template that does not follow the grammar. */
export class TemplateError extends Error {}

/** Compiles `text`; throws TemplateError naming what is wrong. */
export function compileTemplate (text: string): PathTemplate {
  if (!text.startsWith('/')) throw new TemplateError(`'${text}' must start with '/'`)
  let rest = text.slice(1)
  let verb = ''
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.indexOf(':', lastSlash + 1)
  if (colon !== -1 && !rest.slice(colon).includes('}')) {
    verb = rest.slice(colon + 1)
    if (!LITERAL.test(verb)) throw new TemplateError(`bad verb ':${verb}' in '${text}'`)
    rest = rest.slice(0, colon)
  }
  const variables: TemplateVariable[] = []
  let literalCount = 0
  const parts = splitSegments(rest, text)
  let pattern = '^'
  parts.forEach((part, i) => {
    const last = i === parts.length - 1
    pattern += '/'
    if (part.startsWith('{')) {
      const inner = part.slice(1, -1)
      const eq = inner.indexOf('=')
      const fieldPath = (eq === -1 ? inner : inner.slice(0, eq)).split('.')
      if (!fieldPath.every((name) => IDENT.test(name))) throw new TemplateError(`bad field path in '${part}' of '${text}'`)
      const sub = eq === -1 ? ['*'] : inner.slice(eq + 1).split('/')
      if (sub.some((s) => s.includes('{'))) throw new TemplateError(`nested variables in '${text}'`)
      const multiSegment = sub.length > 1 || sub[0] === '**'
      variables.push({ fieldPath, multiSegment })
      pattern += '(' + sub.map((s, k) => segmentPattern(s, last && k === sub.length - 1, text)).join('/') + ')'
      return
    }
    if (part !== '*' && part !== '**') literalCount++
    pattern += segmentPattern(part, last, text)
  })
  const names = variables.map((v) => v.fieldPath.join('.'))
  if (new Set(names).size !== names.length) throw new TemplateError(`a field is bound twice in '${text}'`)
  const regex = new RegExp(pattern + (verb === '' ? '' : escape(':' + verb)) + '$')
  return {
    text,
    variables,
    literalCount,
    match (path) {
      const found = regex.exec(path)
      if (found === null) return undefined
      return variables.map((variable, i) => decode(found[i + 1] as string, variable.multiSegment))
    }
  }
}

/** Splits at '/' outside braces. */
function splitSegments (rest: string, text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of rest) {
    if (ch === '{') depth++
    if (ch === '}') depth--
    if (depth < 0 || depth > 1) throw new TemplateError(`unbalanced braces in '${text}'`)
    if (ch === '/' && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      current += ch
    }
  }
  if (depth !== 0) throw new TemplateError(`unbalanced braces in '${text}'`)
  parts.push(current)
  for (const part of parts) if (part === '') throw new TemplateError(`empty segment in '${text}'`)
  return parts
}

function segmentPattern (segment: string, last: boolean, text: string): string {
  if (segment === '*') return '[^/]+'
  if (segment === '**') {
    if (!last) throw new TemplateError(`'**' must be the last segment of '${text}'`)
    return '.*'
  }
  if (!LITERAL.test(segment)) throw new TemplateError(`bad segment '${segment}' in '${text}'`)
  return escape(segment)
}

function escape (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Percent-decodes a value; a multi-segment value keeps "%2F" so its slashes stay unambiguous. */
function decode (value: string, multiSegment: boolean): string {
  try {
    return decodeURIComponent(multiSegment ? value.replace(/%2F/gi, '%252F') : value)
  } catch {
    return value
  }
}
