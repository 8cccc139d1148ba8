/** One admin request and its reply: JSON in, JSON out, every error a catalog code with the request id. */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { ERRORS, type ErrorCode } from '../../errors.js'
import type { ConfigProblem } from '../../config/problems.js'

/** A reply a handler returns; the server writes it. */
export interface AdminReply {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

function decodeSegment (segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment // malformed %-escape: kept as sent, so it matches nothing
  }
}

export class Exchange {
  readonly id = randomUUID()
  readonly url: URL
  /** Path segments after the leading `/`, decoded. */
  readonly segments: string[]

  constructor (readonly request: IncomingMessage, readonly maxBodyBytes: number) {
    this.url = new URL(request.url ?? '/', 'http://admin.invalid')
    this.segments = this.url.pathname.split('/').filter((s) => s !== '').map(decodeSegment)
  }

  get method (): string {
    return this.request.method ?? 'GET'
  }

  header (name: string): string | undefined {
    const value = this.request.headers[name]
    return Array.isArray(value) ? value[0] : value
  }

  /** The body parsed as JSON; an AdminError for an empty, oversized or malformed body. */
  async json (): Promise<unknown> {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of this.request) {
      size += (chunk as Buffer).length
      if (size > this.maxBodyBytes) throw new AdminError('TG_REQUEST_BODY_TOO_LARGE', `the body is over ${this.maxBodyBytes} bytes`)
      chunks.push(chunk as Buffer)
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
    } catch (error) {
      throw new AdminError('TG_REQUEST_BODY_INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`)
    }
  }

  /** A JSON mapping body (what every write takes). */
  async jsonObject (): Promise<Record<string, unknown>> {
    const value = await this.json()
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AdminError('TG_REQUEST_BODY_INVALID_JSON', 'the body must be a JSON object')
    return value as Record<string, unknown>
  }
}

/** An expected refusal (4xx): thrown by helpers, turned into its reply by the server. */
export class AdminError extends Error {
  constructor (readonly code: ErrorCode, message?: string, readonly extra: Record<string, unknown> = {}, readonly headers: Record<string, string> = {}) {
    super(message ?? ERRORS[code].message)
  }
}

/** The reply of an AdminError. */
export function errorReply (error: AdminError, requestId: string): AdminReply {
  return { status: ERRORS[error.code].status, body: { error: { code: error.code, message: error.message, request_id: requestId, ...error.extra } }, headers: error.headers }
}

/** 400 listing every problem with its JSON path. */
export function invalid (problems: readonly ConfigProblem[]): AdminError {
  return new AdminError('TG_CONFIG_INVALID', `${problems.length} problem(s); nothing was written`, { problems: problems.map(({ path, reason }) => ({ path, reason })) })
}

export function writeReply (response: ServerResponse, reply: AdminReply, requestId: string): void {
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body) + '\n'
  response.writeHead(reply.status, {
    ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }),
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': requestId,
    ...reply.headers
  })
  response.end(body)
}
