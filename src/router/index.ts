// The router's public API; logic lives in the files named below.
export { normaliseRequestTarget, type NormalisedTarget } from './normalise-path.js'
export { compileRouter, type Router } from './router.js'
export { checkPathPattern, type RouteMatch, type RouteSpec } from './route-spec.js'
