/**
 * Whether a response to `method` with `status` carries a body: not one to HEAD, nor a 204 or 304
 * (RFC 9110 §6.4.1). Every ingress drops such a body, so the gateway neither writes it (HTTP/2
 * refuses it) nor counts it in `bytesSent`: the log phase records what reached the client.
 */
export function carriesBody (method: string, status: number): boolean {
  return method !== 'HEAD' && status !== 204 && status !== 304
}
