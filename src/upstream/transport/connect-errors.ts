// Which socket error codes mean "nobody is listening there / cannot be reached", shared by both
// transports so their `connect-refused` verdicts agree.

const REFUSALS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EADDRNOTAVAIL'
])

/** True for an error code that means the target refused or could not be reached (DNS included). */
export function isConnectRefusal (code: unknown): boolean {
  return typeof code === 'string' && REFUSALS.has(code)
}

/** The `code` of a Node system or library error, or undefined. */
export function errorCode (err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}
