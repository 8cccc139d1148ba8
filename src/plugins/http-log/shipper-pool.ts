import type { Logger } from '../../kit/logger.js'
import { collectorPoster, type BatchPoster, type Destination } from './collector-client.js'
import { LogShipper, type ShipperOptions, type ShipperSettings } from './shipper.js'

/** Options of a {@link ShipperPool}; tests inject posters, randomness and clocks. */
export interface ShipperPoolOptions extends ShipperOptions {
  /** Default: an undici pool to the destination's origin. */
  readonly createPoster?: (destination: Destination) => BatchPoster
}

/** Two bindings with the same URL, content type and headers post through one shipper. */
function keyOf (destination: Destination): string {
  const headers = Object.entries(destination.headers).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  return JSON.stringify([destination.url, destination.contentType, headers])
}

interface Entry {
  readonly shipper: LogShipper
  refs: number
}

/**
 * The shippers of one worker, one per destination, reference-counted by the bindings (of every
 * config version) that use them. A reload compiles the new version before the old one is
 * destroyed, so the queue and the collector connection carry over; the last release flushes
 * (within its deadline) and closes.
 */
export class ShipperPool {
  private readonly entries = new Map<string, Entry>()
  private readonly createPoster: (destination: Destination) => BatchPoster

  constructor (private readonly options: ShipperPoolOptions = {}) {
    this.createPoster = options.createPoster ?? collectorPoster
  }

  /** The shipper of `destination`, made on first use; the latest settings and logger apply to it. */
  acquire (destination: Destination, settings: ShipperSettings, log: Logger): LogShipper {
    const key = keyOf(destination)
    const existing = this.entries.get(key)
    if (existing !== undefined) {
      existing.refs++
      existing.shipper.configure(settings, log)
      return existing.shipper
    }
    const shipper = new LogShipper(this.createPoster(destination), settings, log, this.options)
    this.entries.set(key, { shipper, refs: 1 })
    return shipper
  }

  /** Drops one reference; the last one flushes (at most `deadlineMs`) and closes the shipper. */
  async release (shipper: LogShipper, deadlineMs: number): Promise<void> {
    for (const [key, entry] of this.entries) {
      if (entry.shipper !== shipper) continue
      if (--entry.refs > 0) return
      this.entries.delete(key)
      await shipper.close(deadlineMs)
      return
    }
  }

  /** Shippers alive now. */
  get size (): number {
    return this.entries.size
  }
}
