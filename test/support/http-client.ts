import http from 'node:http'
import net from 'node:net'

/** A response as tests look at it. */
export interface TestResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: Buffer
  json: () => unknown
}

/** Sends one request with node:http and buffers the answer. */
export function request (port: number, options: {
  method?: string, path?: string, headers?: Record<string, string | string[]>, body?: Buffer | string, agent?: http.Agent, host?: string
} = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: options.host ?? '127.0.0.1',
      port,
      method: options.method ?? 'GET',
      path: options.path ?? '/',
      headers: options.headers,
      agent: options.agent ?? false
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) })
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Writes raw bytes on a fresh TCP connection and returns everything read until the server closes (or `waitMs`). */
export function rawExchange (port: number, bytes: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => { socket.destroy(); resolve(Buffer.concat(chunks).toString('latin1')) }, waitMs)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('close', () => { clearTimeout(timer); resolve(Buffer.concat(chunks).toString('latin1')) })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET') return
      clearTimeout(timer)
      reject(error)
    })
    socket.write(bytes)
  })
}

/** The status code of the first response in a raw exchange, or 0. */
export function firstStatus (raw: string): number {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw)
  return match === null ? 0 : Number(match[1])
}
