import { GatewayError } from '../errors.js'
import type { Reply } from '../kit/reply.js'
import type { RequestContext } from './context.js'

/** Plugin failures per plugin name since the worker started (read by the metrics issue). */
export const pluginFailureCounts = new Map<string, number>()

/**
 * Turns an exception from a plugin into a reply. A GatewayError carries its own catalog code (a
 * body too large while a plugin read it, say); anything else is a plugin bug: logged with the
 * plugin name and request id, counted, and answered 500 — the worker lives on.
 */
export function replyForPluginError (ctx: RequestContext, pluginName: string, phase: string, error: unknown): Reply {
  if (error instanceof GatewayError) {
    return error.headers === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, headers: { ...error.headers } }
  }
  pluginFailureCounts.set(pluginName, (pluginFailureCounts.get(pluginName) ?? 0) + 1)
  ctx.log.error({ plugin: pluginName, phase, err: error }, 'plugin failed')
  return { code: 'TG_PLUGIN_FAILED' }
}
