/**
 * Edits: set, insert, append and delete on a path. Each records an overlay on the parent
 * container and marks every container on the way from the root as dirty; nothing is written
 * until `emit()`. New values get their own small documents (scanned, or for a JS scalar a tape of
 * one entry), so later reads and edits can go inside them.
 */
import { usageError } from './errors.js'
import { currentElements, findKey } from './members.js'
import { emptyOverlay, type Overlay, type Ref } from './overlay.js'
import { child, kindOf, resolvePath, rootRef, type JsonPath } from './path.js'
import { RawJson, rawBytes, serialize, type JsonInput } from './serialize.js'
import { JsonNumber } from './number.js'
import { ARRAY, ESCAPED, FALSE, INTEGER, NULL, NUMBER, OBJECT, STRING, TRUE } from './tape.js'
import { scanWithLimits } from './scan.js'
import { scalarTape } from './scan-tape.js'
import { JsonDocument } from './document.js'

function noRawValues (): void {
  throw new Error('unreachable: a scalar holds no raw JSON')
}

/** Tape kind and flags of the scalar `value`, which `serialize` wrote as `text`. */
function scalarKind (value: JsonInput, text: string): number {
  switch (typeof value) {
    case 'string': return text.includes('\\') ? STRING | ESCAPED : STRING
    case 'number': return /[.eE]/.test(text) ? NUMBER : NUMBER | INTEGER
    case 'bigint': return NUMBER | INTEGER
    case 'boolean': return value ? TRUE : FALSE
    default:
      if (value === null) return NULL
      return value instanceof JsonNumber ? (value.isInteger ? NUMBER | INTEGER : NUMBER) : 0
  }
}

/**
 * Scans a new value into its own document, with the limits of `doc`. A scalar from JS (string,
 * number, bigint, boolean, null, `JsonNumber`) is written by `serialize` and known to be valid, so
 * its one-entry tape is made directly instead of scanning it again.
 */
function valueDocument (doc: JsonDocument, value: JsonInput): JsonDocument {
  if (typeof value !== 'object' || value === null || value instanceof JsonNumber) {
    const text = serialize(value, doc.limits.maxDepth, noRawValues)
    const kind = scalarKind(value, text)
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.length > doc.limits.maxBytes) return scanWithLimits(bytes, doc.limits)
    return new JsonDocument(bytes, bytes, scalarTape(kind, bytes.length), doc.limits)
  }
  const check = (bytes: Uint8Array): void => { scanWithLimits(bytes, doc.limits) }
  if (value instanceof RawJson || (typeof value === 'object' && value !== null && 'toJsonBytes' in value)) {
    return scanWithLimits(rawBytes(value as RawJson), doc.limits)
  }
  return scanWithLimits(Buffer.from(serialize(value, doc.limits.maxDepth, check), 'utf8'), doc.limits)
}

function describe (path: JsonPath, length: number): string {
  return JSON.stringify(path.slice(0, length))
}

/** The parent of the last step, and the containers from the root to it (to mark dirty on change). */
interface Parent extends Ref {
  readonly chain: Ref[]
}

/** Marks the containers from the root to the edited one as dirty; called just before an overlay changes. */
function markDirty (parent: Parent): Overlay {
  for (const step of parent.chain) {
    step.doc.dirty ??= new Set()
    step.doc.dirty.add(step.index)
  }
  return overlayOf(parent)
}

/** Walks to the parent of the last step; throws when it is missing or of the wrong kind. */
function parentOf (doc: JsonDocument, path: JsonPath): Parent {
  const chain: Ref[] = []
  let ref = rootRef(doc)
  chain.push(ref)
  for (let k = 0; k < path.length - 1; k++) {
    const next = child(ref, path[k] as string | number)
    if (next === undefined) throw usageError('TG_JSON_PATH_NOT_FOUND', `no value at ${describe(path, k + 1)}`)
    ref = next
    chain.push(ref)
  }
  const kind = kindOf(ref)
  const last = path[path.length - 1]
  if (!((kind === OBJECT && typeof last === 'string') || (kind === ARRAY && typeof last === 'number'))) {
    throw usageError('TG_JSON_WRONG_KIND', `${describe(path, path.length - 1)} is not ${typeof last === 'number' ? 'an array' : 'an object'}`)
  }
  return { doc: ref.doc, index: ref.index, chain }
}

function overlayOf (ref: Ref): Overlay {
  ref.doc.overlays ??= new Map()
  let overlay = ref.doc.overlays.get(ref.index)
  if (overlay === undefined) {
    overlay = emptyOverlay()
    ref.doc.overlays.set(ref.index, overlay)
  }
  return overlay
}

function beforeList (overlay: Overlay, anchor: number): JsonDocument[] {
  let list = overlay.before.get(anchor)
  if (list === undefined) {
    list = []
    overlay.before.set(anchor, list)
  }
  return list
}

function checkIndex (position: number, length: number, path: JsonPath): void {
  if (!Number.isInteger(position) || position < 0 || position > length) {
    throw usageError('TG_JSON_PATH_NOT_FOUND', `index ${position} is outside 0..${length} at ${describe(path, path.length)}`)
  }
}

/** `doc.set(path, value)`. */
export function setAt (doc: JsonDocument, path: JsonPath, value: JsonInput): void {
  if (path.length === 0) {
    const replacement = valueDocument(doc, value)
    doc.rootReplacement = replacement
    return
  }
  const parent = parentOf(doc, path)
  const newValue = valueDocument(doc, value)
  const last = path[path.length - 1] as string | number
  if (typeof last === 'string') {
    const overlay = markDirty(parent)
    const hit = findKey(parent.doc, parent.index, last)
    const added = hit !== undefined ? overlay.added[hit.added] : undefined
    if (hit !== undefined && hit.key >= 0) overlay.replaced.set(hit.key, newValue)
    else if (added !== undefined) added.value = newValue
    else overlay.added.push({ key: last, value: newValue })
    return
  }
  const elements = currentElements(parent.doc, parent.index)
  checkIndex(last, elements.length, path)
  const overlay = markDirty(parent)
  const element = elements[last]
  if (element === undefined) beforeList(overlay, -1).push(newValue)
  else if (element.slot === -1) overlay.replaced.set(element.anchor, newValue)
  else beforeList(overlay, element.anchor)[element.slot] = newValue
}

/** `doc.insert(path, value)`. */
export function insertAt (doc: JsonDocument, path: JsonPath, value: JsonInput): void {
  if (path.length === 0) throw usageError('TG_JSON_WRONG_KIND', 'cannot insert at the root; use set([])')
  const parent = parentOf(doc, path)
  const last = path[path.length - 1] as string | number
  if (typeof last === 'string') {
    if (findKey(parent.doc, parent.index, last) !== undefined) throw usageError('TG_JSON_KEY_EXISTS', `key exists at ${describe(path, path.length)}`)
    const newValue = valueDocument(doc, value)
    markDirty(parent).added.push({ key: last, value: newValue })
    return
  }
  const elements = currentElements(parent.doc, parent.index)
  checkIndex(last, elements.length, path)
  const newValue = valueDocument(doc, value)
  const overlay = markDirty(parent)
  const element = elements[last]
  if (element === undefined) beforeList(overlay, -1).push(newValue)
  else if (element.slot === -1) beforeList(overlay, element.anchor).push(newValue)
  else beforeList(overlay, element.anchor).splice(element.slot, 0, newValue)
}

/** `doc.append(path, value)`: `path` names the array. */
export function appendAt (doc: JsonDocument, path: JsonPath, value: JsonInput): void {
  const target = resolvePath(doc, path)
  if (target === undefined) throw usageError('TG_JSON_PATH_NOT_FOUND', `no value at ${describe(path, path.length)}`)
  if (kindOf(target) !== ARRAY) throw usageError('TG_JSON_WRONG_KIND', `${describe(path, path.length)} is not an array`)
  insertAt(doc, [...path, currentElements(target.doc, target.index).length], value)
}

/** `doc.delete(path)`. */
export function deleteAt (doc: JsonDocument, path: JsonPath): boolean {
  if (path.length === 0) throw usageError('TG_JSON_WRONG_KIND', 'cannot delete the root; use set([])')
  if (resolvePath(doc, path) === undefined) return false
  const parent = parentOf(doc, path)
  const last = path[path.length - 1] as string | number
  const overlay = markDirty(parent)
  if (typeof last === 'string') {
    const hit = findKey(parent.doc, parent.index, last)
    if (hit === undefined) return false
    if (hit.key >= 0) { overlay.deleted.add(hit.key); overlay.replaced.delete(hit.key) } else overlay.added.splice(hit.added, 1)
    return true
  }
  const element = currentElements(parent.doc, parent.index)[last]
  if (element === undefined) return false
  if (element.slot === -1) { overlay.deleted.add(element.anchor); overlay.replaced.delete(element.anchor) } else beforeList(overlay, element.anchor).splice(element.slot, 1)
  return true
}
