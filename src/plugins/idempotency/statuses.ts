/** Which response statuses are stored for replay: classes ("2xx") and exact codes, minus the skipped ones. */
export function statusMatcher (store: readonly string[], skip: readonly number[]): (status: number) => boolean {
  const classes = new Set<number>()
  const exact = new Set<number>()
  for (const item of store) {
    if (item.endsWith('xx')) classes.add(Number(item[0]))
    else exact.add(Number(item))
  }
  const skipped = new Set(skip)
  return (status) => !skipped.has(status) && (exact.has(status) || classes.has(Math.floor(status / 100)))
}
