import { gatewayConfig, type GatewayConfigOptions } from './configs.js'
import { freePort } from './free-port.js'
import { GatewayProcess } from './gateway-process.js'
import type { UpstreamServer } from './upstream-server.js'

/**
 * The usual start of an integration suite: the upstream listens, a free port is picked, and a real
 * gateway (primary + `workers`) is started on the config built from `options`. Stop it with
 * `stopSuiteGateway`.
 */
export async function startSuiteGateway (upstream: UpstreamServer, options: Omit<GatewayConfigOptions, 'port' | 'upstreamPort'>, workers = 1): Promise<{ gateway: GatewayProcess, port: number }> {
  const upstreamPort = await upstream.listen()
  const port = await freePort()
  const gateway = new GatewayProcess(gatewayConfig({ ...options, port, upstreamPort }))
  await gateway.start(workers)
  return { gateway, port }
}

/** Stops the gateway of a suite and its upstream. */
export async function stopSuiteGateway (gateway: GatewayProcess, upstream: UpstreamServer): Promise<void> {
  await gateway.stop()
  await upstream.close()
}
