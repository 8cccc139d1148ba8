import type { ParserBinding } from './llhttp-binding.js'

/** What the parser must make of one input: refuse it, or read these messages (method + body). */
type Verdict = { readonly refuse: true } | { readonly messages: readonly string[] }

interface Case { readonly name: string, readonly bytes: string, readonly verdict: Verdict }

const REFUSE = { refuse: true } as const
const POST = 'POST / HTTP/1.1\r\nHost: a\r\n'
const CHUNKED = `${POST}Transfer-Encoding: chunked\r\n\r\n`
/** The head limit of the self-test; the oversized-head case goes past it. */
const MAX_HEAD_BYTES = 8192

/**
 * Framing attacks (request smuggling and desync tricks) that strict llhttp refuses, and valid
 * controls it must accept, so a parser that refuses everything fails too. A message is written
 * as `METHOD:body`.
 */
const CORPUS: readonly Case[] = [
  { name: 'Content-Length with Transfer-Encoding', bytes: `${POST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'duplicate Content-Length', bytes: `${POST}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`, verdict: REFUSE },
  { name: 'conflicting Content-Length', bytes: `${POST}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, verdict: REFUSE },
  { name: 'Content-Length list', bytes: `${POST}Content-Length: 3, 3\r\n\r\nabc`, verdict: REFUSE },
  { name: 'Content-Length with a sign', bytes: `${POST}Content-Length: +3\r\n\r\nabc`, verdict: REFUSE },
  { name: 'negative Content-Length', bytes: `${POST}Content-Length: -3\r\n\r\nabc`, verdict: REFUSE },
  { name: 'Content-Length not a number', bytes: `${POST}Content-Length: 3a\r\n\r\nabc`, verdict: REFUSE },
  { name: 'chunked not last', bytes: `${POST}Transfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'chunked then identity on two lines', bytes: `${POST}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'xchunked', bytes: `${POST}Transfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'identity only', bytes: `${POST}Transfer-Encoding: identity\r\n\r\nabc`, verdict: REFUSE },
  { name: 'bare LF line endings', bytes: 'GET / HTTP/1.1\nHost: a\n\n', verdict: REFUSE },
  { name: 'bare LF after a header', bytes: 'GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n', verdict: REFUSE },
  { name: 'bare CR in the head', bytes: 'GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n', verdict: REFUSE },
  { name: 'NUL in a header value', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n', verdict: REFUSE },
  { name: 'obs-fold', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n', verdict: REFUSE },
  { name: 'space before the colon', bytes: 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', verdict: REFUSE },
  { name: 'empty header name', bytes: 'GET / HTTP/1.1\r\n: a\r\n\r\n', verdict: REFUSE },
  { name: 'unknown HTTP version', bytes: 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', verdict: REFUSE },
  { name: 'control byte in the target', bytes: 'GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n', verdict: REFUSE },
  { name: 'chunk size not hex', bytes: `${CHUNKED}zz\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'chunk size overflow', bytes: `${CHUNKED}fffffffffffffffff\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'space after the chunk size', bytes: `${CHUNKED}3 \r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'chunk data longer than its size', bytes: `${CHUNKED}3\r\nabcX\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'bare LF after a chunk extension', bytes: `${CHUNKED}3;a=b\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'unterminated quoted chunk extension', bytes: `${CHUNKED}3;a="b\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'control byte in a chunk extension', bytes: `${CHUNKED}3;a\x01\r\nabc\r\n0\r\n\r\n`, verdict: REFUSE },
  { name: 'data after Connection: close', bytes: 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n', verdict: REFUSE },
  { name: 'oversized head', bytes: `GET / HTTP/1.1\r\nHost: a\r\nX: ${'a'.repeat(MAX_HEAD_BYTES)}\r\n\r\n`, verdict: REFUSE },
  { name: 'valid pipelined GET and chunked POST', bytes: `GET /a HTTP/1.1\r\nHost: a\r\n\r\n${CHUNKED}3;a=b\r\nabc\r\n0\r\nT: x\r\n\r\n`, verdict: { messages: ['GET:', 'POST:abc'] } },
  { name: 'valid Content-Length body', bytes: `${POST}Content-Length: 3\r\n\r\nabc`, verdict: { messages: ['POST:abc'] } }
]

/** The self-test's outcome: passed, or the first case whose verdict was not the expected one. */
export type SelfTestResult = { readonly passed: true } | { readonly passed: false, readonly reason: string }

/** Feeds one case through a fresh strict parser and describes what it made of it. */
function parse (binding: ParserBinding, bytes: string): Verdict {
  const { HTTPParser, methods } = binding
  const parser = new HTTPParser()
  parser.initialize(HTTPParser.REQUEST, {}, MAX_HEAD_BYTES, HTTPParser.kLenientNone)
  const messages: string[] = []
  let current = ''
  parser[HTTPParser.kOnHeadersComplete] = (_major: number, _minor: number, _headers: unknown, method: number) => { current = `${methods[method] ?? '?'}:` }
  parser[HTTPParser.kOnBody] = (chunk: Buffer) => { current += chunk.toString('latin1') }
  parser[HTTPParser.kOnMessageComplete] = () => { messages.push(current) }
  try {
    const result = parser.execute(Buffer.from(bytes, 'latin1'))
    return result instanceof Error ? REFUSE : { messages }
  } finally {
    parser.close()
  }
}

/**
 * Runs the corpus through the parser. Any unexpected verdict (an attack accepted, a valid stream
 * refused or misread) or an exception fails the test: the listener then uses the node ingress.
 */
export function runParserSelfTest (binding: ParserBinding): SelfTestResult {
  for (const testCase of CORPUS) {
    let verdict: Verdict
    try {
      verdict = parse(binding, testCase.bytes)
    } catch (error) {
      return { passed: false, reason: `${testCase.name}: the parser threw ${(error as Error).message}` }
    }
    const expected = JSON.stringify(testCase.verdict)
    const actual = JSON.stringify(verdict)
    if (actual !== expected) return { passed: false, reason: `${testCase.name}: expected ${expected}, got ${actual}` }
  }
  return { passed: true }
}
