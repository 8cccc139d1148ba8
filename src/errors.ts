/**
 * The error catalog: every response Tollgate generates itself carries one of these codes.
 * Codes are stable API: clients and code branch on them, never on messages.
 */
export interface CatalogEntry {
  readonly status: number
  readonly message: string
}

export const ERRORS = {
  // request framing and normalisation (ingress, router)
  TG_REQUEST_BAD_PATH: { status: 400, message: 'the request path is not allowed' },
  TG_REQUEST_MALFORMED: { status: 400, message: 'the request is malformed' },
  TG_REQUEST_URL_TOO_LONG: { status: 414, message: 'the request URL is too long' },
  TG_REQUEST_HEADERS_TOO_LARGE: { status: 431, message: 'the request headers are too large or too many' },
  TG_REQUEST_BODY_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  TG_REQUEST_TIMEOUT: { status: 408, message: 'the request was not received in time' },
  TG_ROUTE_NOT_FOUND: { status: 404, message: 'no route matches the request' },
  TG_METHOD_NOT_ALLOWED: { status: 405, message: 'the method is not allowed on this route' },
  TG_REQUEST_CONTENT_TYPE_UNSUPPORTED: { status: 415, message: 'the request content type is not accepted on this route' },
  TG_REQUEST_BODY_INVALID_JSON: { status: 400, message: 'the request body is not valid JSON' },
  TG_REQUEST_FIELD_INVALID: { status: 400, message: "a request value does not fit the called method's message" },
  // security (ip-restriction, request-guard)
  TG_IP_FORBIDDEN: { status: 403, message: 'the client address is not allowed' },
  TG_REQUEST_USER_AGENT_DENIED: { status: 403, message: 'the user agent is not allowed' },
  TG_REQUEST_REFERER_DENIED: { status: 403, message: 'the referer is not allowed' },
  // authentication
  TG_AUTH_KEY_MISSING: { status: 401, message: 'no API key in the request' },
  TG_AUTH_KEY_UNKNOWN: { status: 401, message: 'the API key is not known' },
  TG_AUTH_MERCHANT_DISABLED: { status: 401, message: 'the merchant of this API key is disabled' },
  TG_SIGNATURE_MISSING: { status: 401, message: 'the request carries no signature or lacks a signed field' },
  TG_SIGNATURE_EXPIRED: { status: 401, message: 'the signature timestamp is outside the allowed window' },
  TG_SIGNATURE_REPLAYED: { status: 401, message: 'the nonce of this signature was already used' },
  TG_SIGNATURE_INVALID: { status: 401, message: 'the signature does not match the request' },
  TG_SIGNATURE_UNKNOWN_APP: { status: 401, message: 'the app key is not known' },
  TG_SIGNATURE_NONCE_UNAVAILABLE: { status: 503, message: 'replay protection is unavailable; retry the request with a new nonce later' },
  TG_JWT_MISSING: { status: 401, message: 'no bearer token in the request' },
  TG_JWT_MALFORMED: { status: 401, message: 'the token is not a well-formed JWT' },
  TG_JWT_KEY_UNKNOWN: { status: 401, message: 'no key accepts the algorithm and key id of the token' },
  TG_JWT_SIGNATURE_INVALID: { status: 401, message: 'the token signature does not verify' },
  TG_JWT_EXPIRED: { status: 401, message: 'the token has expired' },
  TG_JWT_NOT_YET_VALID: { status: 401, message: 'the token is not valid yet' },
  TG_JWT_ISSUER_INVALID: { status: 401, message: 'the token issuer is not accepted' },
  TG_JWT_AUDIENCE_INVALID: { status: 401, message: 'the token audience is not accepted' },
  TG_JWT_MERCHANT_UNKNOWN: { status: 401, message: 'the token names no known merchant' },
  // cross-origin (cors)
  TG_CORS_ORIGIN_FORBIDDEN: { status: 403, message: 'the origin is not allowed to call this route' },
  // authorization (acl)
  TG_ACL_FORBIDDEN: { status: 403, message: 'the merchant is not allowed on this route' },
  TG_ACL_MERCHANT_REQUIRED: { status: 403, message: 'this route admits identified merchants only' },
  // limits
  TG_RATE_LIMITED: { status: 429, message: 'rate limit exceeded' },
  // idempotency
  TG_IDEMPOTENCY_KEY_INVALID: { status: 400, message: 'the idempotency key is empty, too long or not visible ASCII' },
  TG_IDEMPOTENCY_IN_FLIGHT: { status: 409, message: 'a request with this idempotency key is still in progress' },
  TG_IDEMPOTENCY_KEY_MISMATCH: { status: 422, message: 'this idempotency key was used with a different request' },
  TG_IDEMPOTENCY_MERCHANT_REQUIRED: { status: 403, message: 'idempotency keys on this route need an identified merchant' },
  TG_IDEMPOTENCY_UNAVAILABLE: { status: 503, message: 'the idempotency store is unavailable' },
  // upstream
  TG_UPSTREAM_UNAVAILABLE: { status: 503, message: 'no upstream target is available' },
  TG_UPSTREAM_CONNECT_FAILED: { status: 502, message: 'the upstream refused or dropped the connection' },
  TG_UPSTREAM_BAD_RESPONSE: { status: 502, message: 'the upstream sent an invalid response' },
  TG_UPSTREAM_TIMEOUT: { status: 504, message: 'the upstream did not answer in time' },
  TG_UPSTREAM_RPC_ERROR: { status: 500, message: 'the backend answered the call with an error' },
  // the gateway itself
  TG_PLUGIN_FAILED: { status: 500, message: 'a plugin failed while handling the request' },
  TG_INTERNAL: { status: 500, message: 'internal gateway error' },
  TG_SHUTTING_DOWN: { status: 503, message: 'the gateway is shutting down' },
  TG_CONFIG_UNAVAILABLE: { status: 503, message: 'the configuration this request needs cannot be loaded now (Redis and the config service are unreachable); retry later' },
  // status listener (src/status/)
  TG_STATUS_TOKEN_REQUIRED: { status: 401, message: 'this status endpoint needs the status token (Authorization: Bearer ...)' },
  TG_STATUS_TOKEN_NOT_CONFIGURED: { status: 403, message: 'this endpoint is off: gateway.status.token is not configured' },
  TG_STATUS_NOT_FOUND: { status: 404, message: 'no status endpoint at this path' },
  TG_STATUS_METHOD_NOT_ALLOWED: { status: 405, message: 'the method is not allowed on this status endpoint' },
  TG_STATUS_BAD_REQUEST: { status: 400, message: 'the status request is invalid' },
  TG_STATUS_FAILED: { status: 500, message: 'the status endpoint failed' },
  // debug endpoints of the status listener (profiler, heap snapshot)
  TG_DEBUG_BAD_REQUEST: { status: 400, message: 'the debug request has an invalid parameter' },
  TG_DEBUG_WORKER_UNKNOWN: { status: 404, message: 'no running worker has this pid' },
  TG_PROFILE_BUSY: { status: 409, message: 'a profile is already running on this node' },
  TG_DEBUG_FAILED: { status: 500, message: 'the workers could not carry out the debug request' },
  // configuration (used in CLI output and admin answers, not on the request path)
  TG_CONFIG_INVALID: { status: 400, message: 'the configuration is invalid' },
  // the control plane's admin API
  TG_ADMIN_UNAUTHORIZED: { status: 401, message: 'a valid admin token is required (Authorization: Bearer <token>)' },
  TG_ADMIN_NOT_FOUND: { status: 404, message: 'no such resource' },
  TG_ADMIN_METHOD_NOT_ALLOWED: { status: 405, message: 'the method is not allowed on this resource' },
  TG_ADMIN_EXISTS: { status: 409, message: 'the entity already exists' },
  TG_ADMIN_VERSION_MISMATCH: { status: 412, message: 'the entity changed since the version given in If-Match' },
  TG_ADMIN_BAD_QUERY: { status: 400, message: 'a query parameter or header is invalid' },
  TG_ADMIN_UNAVAILABLE: { status: 503, message: 'a store the admin API needs is unreachable' }
} as const satisfies Record<string, CatalogEntry>

export type ErrorCode = keyof typeof ERRORS

/** The JSON body of a gateway-generated error: `{"error":{"code","message","request_id"}}` plus a newline. */
export function errorBody (code: ErrorCode, requestId: string, message?: string): string {
  return JSON.stringify({ error: { code, message: message ?? ERRORS[code].message, request_id: requestId } }) + '\n'
}

/** An error thrown by Tollgate's own code paths that maps to a catalog entry. */
export class GatewayError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Response headers the reply carries (lower-case names), e.g. `retry-after`. */
  readonly headers: Readonly<Record<string, string>> | undefined
  constructor (code: ErrorCode, message?: string, options?: { cause?: unknown, headers?: Record<string, string> }) {
    super(message ?? ERRORS[code].message, options)
    this.name = 'GatewayError'
    this.code = code
    this.status = ERRORS[code].status
    this.headers = options?.headers
  }
}
