/**
 * The body path syntax of the transformer plugins: `order.items[0].sku`, and `["a.b"]` for a key
 * that holds a dot, a bracket or nothing at all.
 *
 * - a plain key is a run of characters other than `.`, `[`, `]` and `"`;
 * - `.key` steps into an object member, `[n]` into an array element (n: decimal, no sign);
 * - `["key"]` is a key written as a JSON string (escapes allowed), for any other key.
 */
import type { JsonPath } from '../../../codec/json/index.js'

const PLAIN = '[^.\\[\\]"]+'
const QUOTED = '"(?:[^"\\\\]|\\\\(?:["\\\\/bfnrt]|u[0-9A-Fa-f]{4}))*"'
const BRACKET = `\\[(?:0|[1-9][0-9]{0,8}|${QUOTED})\\]`

/** The schema pattern a body path must match (the grammar above). */
export const BODY_PATH_PATTERN = `^(?:${PLAIN}|${BRACKET})(?:\\.${PLAIN}|${BRACKET})*$`

const STEP = new RegExp(`\\.?(${PLAIN})|\\[(0|[1-9][0-9]{0,8})\\]|\\[(${QUOTED})\\]`, 'gy')

/**
 * The codec path of a body path the schema admitted. Throws on text that does not follow the
 * grammar (misuse: the schema's pattern refuses it first).
 */
export function parseBodyPath (text: string): JsonPath {
  if (!new RegExp(BODY_PATH_PATTERN, 'u').test(text)) throw new Error(`not a body path: ${text}`)
  const path: Array<string | number> = []
  STEP.lastIndex = 0
  let match: RegExpExecArray | null
  while (STEP.lastIndex < text.length && (match = STEP.exec(text)) !== null) {
    if (match[1] !== undefined) path.push(match[1])
    else if (match[2] !== undefined) path.push(Number(match[2]))
    else path.push(JSON.parse(match[3] as string) as string)
  }
  return path
}
