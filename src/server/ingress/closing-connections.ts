import type { Socket } from 'node:net'

/**
 * node:http connections on which no further request may be handled: they got an error answer, or
 * a response that closes them. node:http keeps parsing what already arrived on such a connection
 * and would hand it over as new requests, which would reach the upstream although their answers
 * can never be delivered (and a client retrying them elsewhere would send them twice).
 */
const closing = new WeakSet<Socket>()

export function stopHandling (socket: Socket): void {
  closing.add(socket)
}

export function isHandlingStopped (socket: Socket): boolean {
  return closing.has(socket)
}
