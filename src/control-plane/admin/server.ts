/**
 * The admin REST API server (node:http). Every request but /openapi.json and /healthz needs the
 * bearer token when one is set; without a token the server refuses to listen anywhere but loopback.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from '../../kit/logger.js'
import type { AdminContext } from './context.js'
import { AdminError, Exchange, errorReply, writeReply } from './exchange.js'
import { isLoopback, tokenMatches } from './auth.js'
import { isPublicPath, route } from './routes.js'

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR'])

function isUnreachable (error: unknown): boolean {
  return UNREACHABLE.has(String((error as { code?: unknown } | null)?.code))
}

export interface AdminServerOptions {
  readonly host: string
  readonly port: number
  readonly token: string | undefined
  readonly maxBodyBytes: number
  readonly log: Logger
}

export interface AdminServer {
  /** The bound address (port resolved when 0 was asked). */
  readonly address: AddressInfo
  close (): Promise<void>
}

export async function startAdminServer (ctx: AdminContext, options: AdminServerOptions): Promise<AdminServer> {
  if (options.token === undefined && !isLoopback(options.host)) {
    throw new Error(`the admin API has no token, so it listens on loopback only; '${options.host}' is not loopback (set admin.token or admin.host: 127.0.0.1)`)
  }
  const server: Server = createServer((request, response) => {
    const ex = new Exchange(request, options.maxBodyBytes)
    const answer = async (): Promise<void> => {
      try {
        if (options.token !== undefined && !isPublicPath(ex.segments) && !tokenMatches(ex.header('authorization'), options.token)) {
          throw new AdminError('TG_ADMIN_UNAUTHORIZED', undefined, {}, { 'www-authenticate': 'Bearer' })
        }
        writeReply(response, await route(ex, ctx), ex.id)
      } catch (error) {
        if (error instanceof AdminError) {
          writeReply(response, errorReply(error, ex.id), ex.id)
          return
        }
        if (isUnreachable(error)) {
          options.log.warn({ err: error, request_id: ex.id }, 'admin request refused: MySQL unreachable')
          writeReply(response, errorReply(new AdminError('TG_ADMIN_UNAVAILABLE', 'the configuration database is unreachable; retry later'), ex.id), ex.id)
          return
        }
        options.log.error({ err: error, request_id: ex.id, method: ex.method, path: ex.url.pathname }, 'admin request failed')
        writeReply(response, errorReply(new AdminError('TG_INTERNAL', `the admin request failed: ${(error as Error).message}`), ex.id), ex.id)
      }
    }
    void answer()
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => { server.off('error', reject); resolve() })
  })
  return {
    address: server.address() as AddressInfo,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
  }
}
