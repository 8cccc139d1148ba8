/** Picks the entries cross checks may rely on: those the schema found no problem in. */
import { pointer, type ProblemList } from '../problems.js'

/** An entry of an entity list with its index and JSON pointer. */
export interface Item<T> {
  readonly index: number
  /** JSON pointer of the entry, e.g. `/routes/2`. */
  readonly at: string
  readonly entry: T
}

/**
 * The entries of `list` (found at `segments`) that have no schema problem. Cross checks run on
 * these only, so one malformed entry yields its schema problems, not a cascade of follow-ups.
 */
export function usableItems<T> (list: unknown, problems: ProblemList, ...segments: Array<string | number>): Array<Item<T>> {
  if (!Array.isArray(list)) return []
  const items: Array<Item<T>> = []
  list.forEach((entry: unknown, index) => {
    const at = pointer(...segments, index)
    if (!problems.has(at)) items.push({ index, at, entry: entry as T })
  })
  return items
}

/** Every string `id` in `list`, valid entry or not, so references to a broken entry are not reported twice. */
export function idsIn (list: unknown): Set<string> {
  const ids = new Set<string>()
  if (!Array.isArray(list)) return ids
  for (const entry of list as unknown[]) {
    const id = (entry as { id?: unknown } | null)?.id
    if (typeof id === 'string') ids.add(id)
  }
  return ids
}

/** Reports entries whose `key(entry)` repeats an earlier one, at `pathOf(item)`; `what` names the kind. */
export function reportDuplicates<T> (items: ReadonlyArray<Item<T>>, problems: ProblemList, what: string,
  key: (entry: T) => string | undefined, pathOf: (item: Item<T>) => string): void {
  const first = new Map<string, Item<T>>()
  for (const item of items) {
    const k = key(item.entry)
    if (k === undefined) continue
    const earlier = first.get(k)
    if (earlier === undefined) first.set(k, item)
    else problems.add(pathOf(item), `duplicate ${what} '${k}' (also at ${earlier.at})`)
  }
}
