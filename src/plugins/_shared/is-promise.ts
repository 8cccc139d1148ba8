/**
 * True when a value returned by a possibly-asynchronous call is a promise (any thenable).
 * Plugins branch on it so they only pay for `await` when a call really went asynchronous.
 */
export function isPromise<T> (value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function'
}
