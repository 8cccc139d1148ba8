import { loadParserBinding, type ModuleLoader, type ParserBinding } from './llhttp-binding.js'
import { runParserSelfTest } from './parser-self-test.js'

/** Why fast-h1 cannot be used in this process (the metric label) and what exactly went wrong. */
export interface FastH1Unavailable {
  readonly reason: 'module-missing' | 'self-test-failed'
  readonly detail: string
}

/**
 * Whether fast-h1 can run here: Node's internal parser can be loaded and passes the framing
 * self-test. Returns the binding to parse with, or why not (the listener then uses `node`).
 */
export function checkFastH1 (load?: ModuleLoader): ParserBinding | FastH1Unavailable {
  const binding = loadParserBinding(load)
  if ('missing' in binding) return { reason: 'module-missing', detail: binding.missing }
  const result = runParserSelfTest(binding)
  if (!result.passed) return { reason: 'self-test-failed', detail: result.reason }
  return binding
}
