import type { Logger } from '../../kit/logger.js'
import { dnsNameResolver, type NameResolver } from './name-resolver.js'
import type { AddressFamily, NameSettings, ResolverSettings } from './settings.js'

/** Runs `task` after `delayMs`; returns a function that cancels it. Injected in tests. */
export type Schedule = (task: () => void, delayMs: number) => () => void

/** Timers that never keep a stopping process alive. */
const unrefTimer: Schedule = (task, delayMs) => {
  const timer = setTimeout(task, delayMs)
  timer.unref()
  return () => clearTimeout(timer)
}

/** A name to keep resolved, with the settings of the service that lists it. */
export interface WantedName {
  readonly name: string
  readonly settings: NameSettings
}

/** Options of a {@link DnsCache}; tests inject the clock and the timers. */
export interface DnsCacheOptions {
  /** Clock, ms. Default `Date.now`. */
  readonly now?: () => number
  readonly schedule?: Schedule
}

interface Entry {
  readonly name: string
  settings: NameSettings
  /** The answer in use (fresh or stale); undefined while the name is unresolved. */
  addresses: readonly string[] | undefined
  /** Clock (ms) past which `addresses` are stale. */
  expiresAtMs: number
  /** Clock (ms) past which stale `addresses` are dropped if resolution keeps failing. */
  staleUntilMs: number
  cancelTimer: (() => void) | undefined
  resolving: Promise<void> | undefined
  removed: boolean
  /** Whether the last resolution failed (a warning is logged once per failing stretch). */
  failing: boolean
}

/** The key of a name resolved for an address family. */
function keyOf (name: string, family: AddressFamily): string {
  return `${family} ${name.toLowerCase()}`
}

function sameAddresses (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.length === b.length && a.every((address, i) => address === b[i])
}

/**
 * The answers for the target host names of the running config, in one process. A name is
 * resolved when a config listing it is prepared (config load, worker start), then again in the
 * background when its answer expires — its TTL, kept within `ttlMinMs..ttlMaxMs`, or
 * `defaultTtlMs` for an answer of the system resolver — so a request only ever reads the cache.
 * When a refresh fails, the last good answer stays in use until `staleMs` after it expired, with
 * a retry every `retryMs`; after that the name is unresolved until a resolution succeeds again.
 * Listeners hear of every name whose addresses changed.
 *
 * A name used by two services with different `dns` settings is one entry (per address family);
 * the settings of the service prepared last apply.
 */
export class DnsCache {
  private readonly entries = new Map<string, Entry>()
  private readonly listeners = new Set<(name: string, family: AddressFamily) => void>()
  private readonly now: () => number
  private readonly schedule: Schedule
  private stopped = false

  constructor (private readonly resolver: NameResolver, private readonly log: Logger, options: DnsCacheOptions = {}) {
    this.now = options.now ?? Date.now
    this.schedule = options.schedule ?? unrefTimer
  }

  /**
   * Adds the names of a config about to be compiled: names new to the cache are resolved now (the
   * returned promise waits for those first answers, successful or not); known ones keep their
   * answer and take the new settings.
   */
  async prepare (wanted: Iterable<WantedName>): Promise<void> {
    const first: Array<Promise<void>> = []
    for (const { name, settings } of wanted) {
      const key = keyOf(name, settings.family)
      const existing = this.entries.get(key)
      if (existing !== undefined) {
        existing.settings = settings
        if (existing.resolving !== undefined) first.push(existing.resolving)
        continue
      }
      const entry: Entry = { name, settings, addresses: undefined, expiresAtMs: -Infinity, staleUntilMs: -Infinity, cancelTimer: undefined, resolving: undefined, removed: false, failing: false }
      this.entries.set(key, entry)
      first.push(this.refresh(entry))
    }
    await Promise.all(first)
  }

  /** Drops every name but `wanted` (those of the config now running), with its timer. */
  retain (wanted: Iterable<WantedName>): void {
    const keep = new Set([...wanted].map(({ name, settings }) => keyOf(name, settings.family)))
    for (const [key, entry] of this.entries) {
      if (keep.has(key)) continue
      this.entries.delete(key)
      entry.removed = true
      entry.cancelTimer?.()
    }
  }

  /** The addresses of `name` now (fresh or within the stale window), or undefined while unresolved. Never does I/O. */
  addresses (name: string, family: AddressFamily): readonly string[] | undefined {
    return this.entries.get(keyOf(name, family))?.addresses
  }

  /** Calls `listener` with each name whose addresses changed after a background resolution; returns the unsubscribe function. */
  onChange (listener: (name: string, family: AddressFamily) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Resolves once no resolution is in flight (after a refresh timer fired, for instance). */
  async whenIdle (): Promise<void> {
    const pending = [...this.entries.values()].flatMap((entry) => entry.resolving === undefined ? [] : [entry.resolving])
    await Promise.all(pending)
  }

  /** Stops every timer and cancels the queries in flight; the answers stay readable. */
  stop (): void {
    this.stopped = true
    for (const entry of this.entries.values()) entry.cancelTimer?.()
    this.resolver.cancel()
  }

  private refresh (entry: Entry): Promise<void> {
    entry.resolving ??= this.resolve(entry).finally(() => { entry.resolving = undefined })
    return entry.resolving
  }

  private async resolve (entry: Entry): Promise<void> {
    const s = entry.settings
    let answer
    try {
      answer = await this.resolver.resolve(entry.name, s.family, entry.addresses === undefined)
    } catch (error) {
      if (!entry.removed && !this.stopped) this.failed(entry, error as Error)
      return
    }
    if (entry.removed || this.stopped) return
    const ttlMs = Math.min(s.ttlMaxMs, Math.max(s.ttlMinMs, answer.ttlMs ?? s.defaultTtlMs))
    const nowMs = this.now()
    entry.expiresAtMs = nowMs + ttlMs
    entry.staleUntilMs = entry.expiresAtMs + s.staleMs
    if (entry.failing) this.log.info({ name: entry.name, addresses: answer.addresses }, 'dns: name resolves again')
    entry.failing = false
    const changed = !sameAddresses(entry.addresses, answer.addresses)
    entry.addresses = answer.addresses
    this.scheduleRefresh(entry, ttlMs)
    if (changed) this.changed(entry)
  }

  /** A failed resolution: keep the stale answer within its window, else forget it; retry later. */
  private failed (entry: Entry, error: Error): void {
    const s = entry.settings
    const nowMs = this.now()
    const staleLeftMs = entry.staleUntilMs - nowMs
    const fields = { name: entry.name, err: { code: (error as NodeJS.ErrnoException).code, message: error.message } }
    if (entry.addresses !== undefined && staleLeftMs > 0) {
      if (!entry.failing) this.log.warn({ ...fields, addresses: entry.addresses, stale_for_ms: Math.round(staleLeftMs) }, 'dns: resolution failed; keeping the last good answer')
      entry.failing = true
      this.scheduleRefresh(entry, Math.min(s.retryMs, staleLeftMs))
      return
    }
    const dropped = entry.addresses !== undefined
    if (dropped || !entry.failing) this.log.warn(fields, dropped ? 'dns: resolution keeps failing; stale answer dropped, name unresolved' : 'dns: name unresolved')
    entry.failing = true
    entry.addresses = undefined
    this.scheduleRefresh(entry, s.retryMs)
    if (dropped) this.changed(entry)
  }

  private scheduleRefresh (entry: Entry, delayMs: number): void {
    entry.cancelTimer?.()
    entry.cancelTimer = this.schedule(() => {
      entry.cancelTimer = undefined
      void this.refresh(entry)
    }, delayMs)
  }

  private changed (entry: Entry): void {
    for (const listener of this.listeners) {
      try {
        listener(entry.name, entry.settings.family)
      } catch (error) {
        this.log.error({ err: error, name: entry.name }, 'dns: a listener of address changes failed')
      }
    }
  }
}

/** A DNS cache with the resolver settings (as JSON) it was made for. */
export interface DnsCacheInUse {
  readonly settings: string
  readonly cache: DnsCache
}

/**
 * The cache for `resolver` settings: `current` when they did not change, else a new cache (the
 * caller swaps it in and stops the old one once the config using it is in place).
 */
export function dnsCacheFor (current: DnsCacheInUse | undefined, resolver: ResolverSettings, log: Logger): DnsCacheInUse {
  const settings = JSON.stringify(resolver)
  if (current?.settings === settings) return current
  return { settings, cache: new DnsCache(dnsNameResolver(resolver), log) }
}
