/**
 * google.api.HttpBody: a message that carries an HTTP body as it is (`content_type`, `data`)
 * instead of as JSON. A request message (or its `body` field) of that type receives the raw
 * request body and Content-Type; a response message (or its `response_body` field) of that type
 * is answered with its bytes and content type. The type is recognised by its full name.
 */
import type protobuf from 'protobufjs'
import { messageFacts } from './message-facts.js'
import { readFields, WireError, type WireValue } from './wire-read.js'
import { writeTag } from './wire-write.js'

const HTTP_BODY = '.google.api.HttpBody'
const CONTENT_TYPE_ID = 1
const DATA_ID = 2
const LEN = 2
// What RFC 9110 §5.5 allows in a field value; anything else cannot be sent as Content-Type.
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/

/** True for google.api.HttpBody. */
export function isHttpBody (type: protobuf.Type | protobuf.Enum | null): boolean {
  return type?.fullName === HTTP_BODY
}

/** The HttpBody type of top-level field `name` of `type`, when it is a singular field of that type. */
export function httpBodyField (type: protobuf.Type, name: string): protobuf.Field | undefined {
  const field = type.fields[name]
  if (field === undefined || field.repeated || field.map) return undefined
  field.resolve()
  return isHttpBody(field.resolvedType) ? field : undefined
}

/** Writes the fields of an HttpBody (no tag, no length); proto3 leaves out the empty ones. */
export function writeHttpBody (writer: protobuf.Writer, contentType: string, data: Uint8Array): void {
  if (contentType !== '') {
    writeTag(writer, CONTENT_TYPE_ID, LEN)
    writer.string(contentType)
  }
  if (data.length > 0) {
    writeTag(writer, DATA_ID, LEN)
    writer.bytes(data)
  }
}

/** An HTTP body taken out of an HttpBody. */
export interface RawBody {
  /** The message's content_type; '' when it has none. */
  readonly contentType: string
  readonly data: Buffer
}

/**
 * The HttpBody in `bytes` of a `type` message: the message itself (`fieldName` '') or its field
 * `fieldName`. Throws WireError for bytes that do not decode, or a content type no header can carry.
 */
export function readHttpBody (type: protobuf.Type, bytes: Uint8Array, fieldName: string): RawBody {
  let body = bytes
  let bodyType = type
  if (fieldName !== '') {
    const facts = messageFacts(type)
    const field = facts.byName.get(fieldName)
    if (field === undefined || !('message' in field.value)) throw new Error(`no HttpBody field '${fieldName}' in ${facts.fullName}`)
    const content = readFields(facts, bytes).get(field)
    // A message field's runs concatenated are the merged message (protobuf's merge rule).
    body = content?.kind !== 'message' ? Buffer.alloc(0) : content.parts.length === 1 ? content.parts[0] as Buffer : Buffer.concat(content.parts)
    bodyType = field.value.message
  }
  const facts = messageFacts(bodyType)
  const fields = readFields(facts, body)
  const single = (id: number): WireValue | undefined => {
    const field = facts.byId.get(id)
    const content = field === undefined ? undefined : fields.get(field)
    return content?.kind === 'single' ? content.value : undefined
  }
  const contentType = String(single(CONTENT_TYPE_ID) ?? '')
  if (INVALID_VALUE_CHAR.test(contentType)) throw new WireError(`content_type ${JSON.stringify(contentType)} is not a valid header value`)
  const data = single(DATA_ID)
  return { contentType, data: Buffer.isBuffer(data) ? data : Buffer.alloc(0) }
}
