import { errorBody, ERRORS } from '../errors.js'
import { HeaderList } from '../kit/headers.js'
import type { BodyFilterStep, FilterStep } from './chain.js'
import type { RequestContext } from './context.js'
import { ResponseView } from './context.js'
import { replyForPluginError } from './plugin-failures.js'

/**
 * Runs the header filters on `ctx.response`. A filter that throws turns the response into the
 * plugin-failure reply (its head has not been sent yet) and the remaining filters are skipped.
 * Returns false when that happened.
 */
export function runHeaderFilters (ctx: RequestContext): boolean {
  const steps: readonly FilterStep[] = ctx.chain.headerFilter
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as FilterStep
    try {
      step.run(ctx, step.state)
    } catch (error) {
      const reply = replyForPluginError(ctx, step.name, 'headerFilter', error)
      const code = reply.code ?? 'TG_PLUGIN_FAILED'
      const headers = new HeaderList()
      headers.set('content-type', 'application/json')
      headers.set('x-request-id', ctx.request.id)
      ctx.response = new ResponseView(ERRORS[code].status, headers, true, code)
      ctx.failedBody = errorBody(code, ctx.request.id, reply.message)
      return false
    }
  }
  return true
}

/**
 * Passes a body chunk through the body filters; returns the chunk to send (possibly empty).
 * A filter that throws is logged and counted, and its output is the chunk unchanged: the head
 * is already on the wire, so the response cannot become an error any more.
 */
export function runBodyFilters (ctx: RequestContext, chunk: Buffer, last: boolean): Buffer {
  const steps: readonly BodyFilterStep[] = ctx.chain.bodyFilter
  let current = chunk
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as BodyFilterStep
    try {
      const replaced = step.run(ctx, step.state, current, last)
      if (replaced !== undefined) current = replaced
    } catch (error) {
      replyForPluginError(ctx, step.name, 'bodyFilter', error)
    }
  }
  return current
}
