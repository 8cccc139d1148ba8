import { randomInt } from 'node:crypto'

/** A source of uniform numbers in [0, 1), like `Math.random`; injected so tests are deterministic. */
export type RandomSource = () => number

/**
 * A seeded generator (mulberry32: 32 bits of state, period 2^32, passes the usual quick
 * statistical checks): fast, allocation-free, and the same sequence for the same seed, so a test
 * that samples targets reproduces exactly. Not for anything secret.
 * @param seed any integer; only its low 32 bits are used
 * @returns a function giving numbers in [0, 1)
 */
export function seededRandom (seed: number): RandomSource {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A seeded generator with a seed from the OS, so workers do not all draw the same sequence. */
export function unseededRandom (): RandomSource {
  return seededRandom(randomInt(0, 2 ** 32 - 1))
}
