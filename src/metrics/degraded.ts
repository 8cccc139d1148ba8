/**
 * Degraded modes this worker is in right now (e.g. "redis-unreachable"), shipped with its metrics
 * and listed by GET /status. A module sets a mode when it starts serving in a degraded way and
 * clears it when it recovers.
 */
const active = new Set<string>()

export function setDegraded (mode: string, on: boolean): void {
  if (on) active.add(mode)
  else active.delete(mode)
}

export function degradedModes (): string[] {
  return [...active]
}
