/**
 * The request message of a call, from the three places an HTTP request carries values: path
 * variables, query parameters and the JSON body, as the binding says (body "*": the whole
 * message; a field: that field; "": none, query parameters fill the rest). Path values win.
 * A body bound to a google.api.HttpBody is not JSON: its bytes and Content-Type go in as they are.
 */
import protobuf from 'protobufjs'
import { scan } from '../../codec/json/index.js'
import type { GrpcBinding } from './http-rules/bindings.js'
import { encodeField, encodeMessage, textValue, type ParamTree } from './mapping/json-to-proto.js'
import { messageFacts, type FieldFacts, type MessageFacts } from './mapping/message-facts.js'
import { writeHttpBody } from './mapping/http-body.js'
import { writeTag } from './mapping/wire-write.js'
import { MappingError } from './mapping/mapping-error.js'

/** The parts of the HTTP request a message is built from. */
export interface RequestParts {
  /** Values of the binding's path variables, in order. */
  readonly pathValues: readonly string[]
  /** The raw query string, without '?'. */
  readonly query: string
  readonly body: Buffer
  /** The request's Content-Type (for a body carried in a google.api.HttpBody). */
  readonly contentType: string | undefined
  /** Query parameters that fill nothing and are not refused. */
  readonly ignoredQuery: ReadonlySet<string>
}

/**
 * Encodes the request message. Throws MappingError (unknown field, wrong type: 400 with the
 * path) or the codec's JsonCodecError for a body that is not valid JSON.
 */
export function requestMessage (binding: GrpcBinding, parts: RequestParts): Uint8Array {
  const tree: ParamTree = { leaves: new Map(), children: new Map() }
  const bound = new Set<string>()
  binding.template?.variables.forEach((variable, i) => {
    const name = variable.fieldPath.join('.')
    bound.add(name)
    addParam(tree, variable.fieldPath, parts.pathValues[i] as string, `path variable {${name}}`)
  })
  if (binding.body !== '*' && parts.query !== '') {
    for (const [name, value] of new URLSearchParams(parts.query)) {
      if (parts.ignoredQuery.has(name) || bound.has(name)) continue
      const fieldPath = name.split('.')
      if (fieldPath[0] === binding.body) throw new MappingError(`query parameter '${name}'`, `'${binding.body}' comes from the request body`)
      if (fieldPath.some((step) => step === '')) throw new MappingError(`query parameter '${name}'`, 'not a field path')
      addParam(tree, fieldPath, value, `query parameter '${name}'`)
    }
  }
  const facts = messageFacts(binding.requestType)
  const writer = protobuf.Writer.create()
  const params = tree.leaves.size + tree.children.size === 0 ? undefined : tree
  if (binding.rawRequestBody) {
    writeRawBody(binding, facts, parts, writer)
    encodeMessage(facts, undefined, params, writer, '')
    return writer.finish()
  }
  const json = binding.body === '' || parts.body.length === 0 ? undefined : scan(parts.body).root
  encodeMessage(facts, binding.body === '*' ? json : undefined, params, writer, '')
  if (json !== undefined && binding.body !== '*' && !json.isNull) encodeField(facts.byName.get(binding.body) as NonNullable<ReturnType<typeof facts.byName.get>>, json, writer, '')
  return writer.finish()
}

/**
 * The body and Content-Type as an HttpBody: the whole message (body "*") or the `body` field.
 * Written before the parameters, so a path variable naming the same field still wins (last wins).
 */
function writeRawBody (binding: GrpcBinding, facts: MessageFacts, parts: RequestParts, writer: protobuf.Writer): void {
  const contentType = parts.contentType ?? ''
  if (binding.body === '*') return writeHttpBody(writer, contentType, parts.body)
  if (contentType === '' && parts.body.length === 0) return
  const field = facts.byName.get(binding.body) as FieldFacts
  writeTag(writer, field.id, field.wireType)
  writer.fork()
  writeHttpBody(writer, contentType, parts.body)
  writer.ldelim()
}

function addParam (tree: ParamTree, fieldPath: readonly string[], value: string, label: string): void {
  let node = tree
  for (const step of fieldPath.slice(0, -1)) {
    let child = node.children.get(step)
    if (child === undefined) {
      child = { leaves: new Map(), children: new Map() }
      node.children.set(step, child)
    }
    node = child
  }
  const leaf = fieldPath[fieldPath.length - 1] as string
  const values = node.leaves.get(leaf) ?? []
  values.push({ value: textValue(value), label })
  node.leaves.set(leaf, values)
}
