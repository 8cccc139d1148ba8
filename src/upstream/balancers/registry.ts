import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { Balancer } from './balancer.js'
import { ConsistentHashBalancer, type ConsistentHashOptions } from './consistent-hash.js'
import { LeastConnectionsBalancer } from './least-connections.js'
import { P2cPeakEwmaBalancer, type P2cPeakEwmaOptions } from './p2c-peak-ewma.js'
import { RoundRobinBalancer } from './round-robin.js'

/** Every balancer name `createBalancer` knows; the conformance suite runs against each. */
export const BALANCER_NAMES = ['p2c-peak-ewma', 'least-connections', 'round-robin', 'consistent-hash'] as const

/** A name from `BALANCER_NAMES`. */
export type BalancerName = typeof BALANCER_NAMES[number]

/** The balancer a service gets when its config names none. */
export const DEFAULT_BALANCER: BalancerName = 'p2c-peak-ewma'

/**
 * Options of every balancer, in one bag; each balancer reads the ones it knows. `consistent-hash`
 * refuses `hashHeader` without `hashOn: 'header'`, so leave the hash options out for the others.
 */
export interface BalancerOptions extends P2cPeakEwmaOptions, ConsistentHashOptions {}

/**
 * Builds the balancer a service's config names, over its targets, counting into the worker's
 * shared per-target state. Throws (misuse by code: config validation checks the name and
 * options) on an unknown name or an option the balancer refuses.
 * @param options per-balancer options; every field has a default (see each balancer)
 */
export function createBalancer (name: string, targets: readonly Target[], state: TargetRegistry, options: BalancerOptions = {}): Balancer {
  switch (name) {
    case 'p2c-peak-ewma':
      return new P2cPeakEwmaBalancer(targets, state, options)
    case 'least-connections':
      return new LeastConnectionsBalancer(targets, state)
    case 'round-robin':
      return new RoundRobinBalancer(targets, state)
    case 'consistent-hash':
      return new ConsistentHashBalancer(targets, state, options)
    default:
      throw new Error(`balancers: unknown balancer ${JSON.stringify(name)}; known: ${BALANCER_NAMES.join(', ')}`)
  }
}
