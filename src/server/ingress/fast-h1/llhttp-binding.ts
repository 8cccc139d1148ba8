import { createRequire } from 'node:module'

/** The callbacks slots and constants of Node's internal `HTTPParser` (llhttp) that fast-h1 uses. */
export interface HttpParserClass {
  new (): HttpParser
  readonly REQUEST: number
  readonly kOnMessageBegin: number
  readonly kOnHeaders: number
  readonly kOnHeadersComplete: number
  readonly kOnBody: number
  readonly kOnMessageComplete: number
  readonly kOnExecute: number
  readonly kLenientNone: number
}

/** One llhttp parser instance; the callbacks are set by index (the class's k* constants). */
export interface HttpParser {
  [slot: number]: unknown
  initialize (type: number, resource: object, maxHeaderSize: number, lenientFlags: number): void
  execute (data: Buffer): number | ParseError
  finish (): number | ParseError | undefined
  close (): void
  free (): void
  remove (): void
}

/** What `execute` returns when the bytes are not valid HTTP (llhttp's code, e.g. HPE_INVALID_METHOD). */
export interface ParseError extends Error {
  readonly code: string
  readonly bytesParsed: number
  readonly reason?: string
}

/** The parser class and llhttp's method table (the method argument of kOnHeadersComplete indexes it). */
export interface ParserBinding {
  readonly HTTPParser: HttpParserClass
  readonly methods: readonly string[]
}

/** Loads a module by name; injectable so tests can simulate a Node without the internal module. */
export type ModuleLoader = (name: string) => unknown

const nodeRequire: ModuleLoader = createRequire(import.meta.url)

/**
 * Finds llhttp through node:http's own helper module `_http_common` (undocumented, hence the
 * pinned Node version and the start-up self-test). Returns the binding, or why it is unusable.
 */
export function loadParserBinding (load: ModuleLoader = nodeRequire): ParserBinding | { readonly missing: string } {
  let common: { HTTPParser?: unknown, methods?: unknown }
  try {
    common = load('_http_common') as typeof common
  } catch (error) {
    return { missing: `_http_common cannot be loaded: ${(error as Error).message}` }
  }
  const parser = common?.HTTPParser as (((...args: unknown[]) => unknown) & Record<string, unknown>) | undefined
  if (typeof parser !== 'function' || typeof parser.REQUEST !== 'number' || typeof parser.kOnHeadersComplete !== 'number' ||
      typeof parser.kOnBody !== 'number' || typeof parser.kOnMessageComplete !== 'number' || typeof parser.kOnMessageBegin !== 'number') {
    return { missing: '_http_common has no usable HTTPParser' }
  }
  if (!Array.isArray(common.methods)) return { missing: '_http_common has no method table' }
  return { HTTPParser: parser as unknown as HttpParserClass, methods: common.methods as string[] }
}
