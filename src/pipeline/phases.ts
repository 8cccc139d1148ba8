/**
 * The request phases in the order they run (DESIGN.md §2). Written here and nowhere else.
 * rewrite → access → content → response (headerFilter, bodyFilter) → log.
 */
export const PHASES = ['rewrite', 'access', 'content', 'headerFilter', 'bodyFilter', 'log'] as const
export type Phase = typeof PHASES[number]

/** Phases that may end a request by returning a reply. */
export const REPLYING_PHASES = ['rewrite', 'access', 'content'] as const
export type ReplyingPhase = typeof REPLYING_PHASES[number]
