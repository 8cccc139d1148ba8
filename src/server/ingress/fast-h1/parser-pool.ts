import type { HttpParser, ParserBinding } from './llhttp-binding.js'

/** Parsers kept for reuse (node:http keeps 1000 too). */
const MAX_FREE_PARSERS = 1000

/**
 * Reuses llhttp parsers across connections, as node:http does: a parser is a native object that
 * is only released by `close()`, and creating one per connection costs.
 */
export class ParserPool {
  private readonly free: HttpParser[] = []
  private readonly binding: ParserBinding
  private readonly maxHeaderBytes: number

  constructor (binding: ParserBinding, maxHeaderBytes: number) {
    this.binding = binding
    this.maxHeaderBytes = maxHeaderBytes
  }

  /** A parser reset for a new connection: strict (no lenient flags), the listener's head limit. */
  acquire (): HttpParser {
    const { HTTPParser } = this.binding
    const parser = this.free.pop() ?? new HTTPParser()
    parser.initialize(HTTPParser.REQUEST, {}, this.maxHeaderBytes, HTTPParser.kLenientNone)
    return parser
  }

  /** Takes a parser back once its connection closed; its callbacks are dropped with the connection. */
  release (parser: HttpParser): void {
    for (const slot of callbackSlots(this.binding)) parser[slot] = null
    if (this.free.length < MAX_FREE_PARSERS) {
      this.free.push(parser)
      return
    }
    // The native object goes once the current stack (possibly inside its callbacks) unwound.
    setImmediate(closeParser, parser)
  }
}

function closeParser (parser: HttpParser): void {
  parser.close()
}

/** The callback slots fast-h1 sets on a parser. */
function callbackSlots (binding: ParserBinding): number[] {
  const { HTTPParser } = binding
  return [HTTPParser.kOnMessageBegin, HTTPParser.kOnHeaders, HTTPParser.kOnHeadersComplete, HTTPParser.kOnBody, HTTPParser.kOnMessageComplete]
}
