import type { Snapshot } from './snapshot.js'

/**
 * Destroys the plugin states of a retired snapshot once no request runs on it any more. Called at
 * the swap (when it is already idle) and by the last request that finishes on it.
 */
export function retireIfIdle (snapshot: Snapshot): void {
  if (!snapshot.retired || snapshot.inFlight !== 0 || destroyed.has(snapshot)) return
  destroyed.add(snapshot)
  for (const binding of snapshot.bindings) {
    if (binding.plugin.destroy === undefined) continue
    try {
      binding.plugin.destroy(binding.state)
    } catch {
      // A plugin that fails to clean up must not stop the others; its state is dropped anyway.
    }
  }
}

const destroyed = new WeakSet<Snapshot>()
