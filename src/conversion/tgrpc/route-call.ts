import type { RouteEntry } from '../../config/schema/route.js'
import { compilePathParams, type PathParams } from './path-params.js'

/** A route's TG-RPC mapping, compiled once per config version. */
export interface TgRpcRouteCall {
  readonly service: string
  readonly method: string
  readonly pathParams: PathParams | undefined
  /** Lower-case names of the request headers sent as `h-<name>`. */
  readonly forwardHeaders: readonly string[]
  readonly forwardQuery: boolean
}

export function compileTgRpcRoute (mapping: NonNullable<RouteEntry['tgrpc']>): TgRpcRouteCall {
  return {
    service: mapping.service,
    method: mapping.method,
    pathParams: mapping.path_params === undefined ? undefined : compilePathParams(mapping.path_params),
    forwardHeaders: mapping.forward_headers.map((name) => name.toLowerCase()),
    forwardQuery: mapping.forward_query
  }
}
