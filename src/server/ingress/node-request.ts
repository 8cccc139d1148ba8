import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import { bodyFraming } from './body-framing.js'
import type { IngressRequest } from './ingress.js'

/** An HTTP/1.x request of node:http as an IngressRequest. */
export function fromHttp1 (req: IncomingMessage, localPort: number, tls: boolean): IngressRequest {
  const raw = req.rawHeaders
  const framing = bodyFraming(raw)
  // node:http (llhttp) already refused CL+TE conflicts and malformed lengths before we get here.
  const hasBody = framing.chunked || (framing.length !== undefined && framing.length > 0)
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    httpVersion: req.httpVersion,
    rawHeaders: raw,
    authority: undefined,
    peerIp: req.socket.remoteAddress ?? '',
    localPort,
    tls,
    body: hasBody ? req : null,
    bodyLength: framing.chunked ? undefined : (framing.length ?? 0)
  }
}

/** An HTTP/2 request (compatibility API) as an IngressRequest; pseudo-headers are left out. */
export function fromHttp2 (req: Http2ServerRequest, localPort: number): IngressRequest {
  const raw: string[] = []
  let authority: string | undefined
  const incoming = req.rawHeaders
  for (let i = 0; i < incoming.length; i += 2) {
    const name = incoming[i] as string
    if (name.charCodeAt(0) === 58 /* : */) {
      if (name === ':authority') authority = incoming[i + 1]
      continue
    }
    raw.push(name, incoming[i + 1] as string)
  }
  const framing = bodyFraming(raw)
  const hasBody = !req.stream.endAfterHeaders
  return {
    method: req.method,
    target: req.url,
    httpVersion: '2.0',
    rawHeaders: raw,
    authority,
    peerIp: req.socket.remoteAddress ?? '',
    localPort,
    tls: true,
    body: hasBody ? req : null,
    bodyLength: hasBody ? framing.length : 0
  }
}
