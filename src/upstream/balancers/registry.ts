import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { Balancer } from './balancer.js'
import { RoundRobinBalancer } from './round-robin.js'

/** Every balancer name `createBalancer` knows; the conformance suite runs against each. */
export const BALANCER_NAMES = ['round-robin'] as const

/** A name from `BALANCER_NAMES`. */
export type BalancerName = typeof BALANCER_NAMES[number]

/**
 * Builds the balancer a service's config names, over its targets, counting into the worker's
 * shared per-target state. Throws (misuse by code: config validation checks the name) on an
 * unknown name.
 */
export function createBalancer (name: string, targets: readonly Target[], state: TargetRegistry): Balancer {
  switch (name) {
    case 'round-robin':
      return new RoundRobinBalancer(targets, state)
    default:
      throw new Error(`balancers: unknown balancer ${JSON.stringify(name)}; known: ${BALANCER_NAMES.join(', ')}`)
  }
}
