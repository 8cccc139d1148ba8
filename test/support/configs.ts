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
}

/** A minimal gateway config for integration tests: one listener, one service, routes as given. */
export function gatewayConfig (options: GatewayConfigOptions): Record<string, unknown> {
  return {
    gateway: {
      listeners: options.listeners ?? [{ name: 'test', host: '127.0.0.1', port: options.port }],
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
