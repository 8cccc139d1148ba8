/**
 * Edits are recorded per container as an overlay on the scanned tape; nothing is re-serialised
 * until `emit()`, and then only the overlaid containers (see `emit.ts`).
 */
import type { JsonDocument } from './document.js'

/** A value inside some document: the document and the tape index of the value. */
export interface Ref {
  /** The document holding the value (the scanned input or a new value's own document). */
  readonly doc: JsonDocument
  /** Tape index of the value in `doc`. */
  readonly index: number
}

/** Pending edits of one container. "Member" means a key entry (objects) or an element (arrays). */
export interface Overlay {
  /** Original member tape index -> its new value. */
  readonly replaced: Map<number, JsonDocument>
  /** Original member tape indexes that are deleted. */
  readonly deleted: Set<number>
  /** Objects: new members, in insertion order, after the original ones. */
  readonly added: Array<{ key: string, value: JsonDocument }>
  /** Arrays: new elements placed just before an original element (tape index), or at the end (-1). */
  readonly before: Map<number, JsonDocument[]>
}

/** A fresh, empty overlay. */
export function emptyOverlay (): Overlay {
  return { replaced: new Map(), deleted: new Set(), added: [], before: new Map() }
}
