import { isPromise } from './is-promise.js'

/** Runs `next` on a value now, or once its promise settles: synchronous inputs stay synchronous. */
export function andThen<T, R> (value: T | Promise<T>, next: (settled: T) => R | Promise<R>): R | Promise<R> {
  return isPromise(value) ? value.then(next) : next(value)
}
