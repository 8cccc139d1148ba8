/** What a test config is made from. */
export interface GatewayConfigOptions {
  port: number
  upstreamPort: number
  routes?: unknown[]
  plugins?: unknown[]
  merchants?: unknown[]
  gateway?: Record<string, unknown>
  service?: Record<string, unknown>
  services?: unknown[]
  certificates?: unknown[]
  listeners?: unknown[]
  /** The ingress of the default listener (leave out for the schema's default). */
  ingress?: 'fast-h1' | 'node'
  /** The default listener's `half_close` (leave out for the schema's default, abort). */
  halfClose?: 'abort' | 'answer'
}

/** A minimal gateway config for integration tests: one listener, one service, routes as given. */
export function gatewayConfig (options: GatewayConfigOptions): Record<string, unknown> {
  return {
    gateway: {
      listeners: options.listeners ?? [{
        name: 'test',
        host: '127.0.0.1',
        port: options.port,
        ...(options.ingress === undefined ? {} : { ingress: options.ingress }),
        ...(options.halfClose === undefined ? {} : { half_close: options.halfClose })
      }],
      log: { level: 'info' },
      ...options.gateway
    },
    services: options.services ?? [{
      id: 'backend',
      targets: [{ host: '127.0.0.1', port: options.upstreamPort }],
      ...options.service
    }],
    routes: options.routes ?? [{ id: 'all', service: 'backend', paths: ['/*'] }],
    merchants: options.merchants ?? [],
    plugins: options.plugins ?? [],
    certificates: options.certificates ?? []
  }
}

/** Both ingresses, for suites that must give the same verdict on each (DESIGN.md §11). */
export const INGRESS_KINDS = ['fast-h1', 'node'] as const
