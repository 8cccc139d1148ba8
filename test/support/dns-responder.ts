import dgram from 'node:dgram'
import { isIPv4 } from 'node:net'

/** One address record the responder gives out. */
export interface AddressRecord {
  readonly address: string
  readonly ttlSeconds: number
}

/** How the responder treats queries: answer them, answer SERVFAIL, or drop them (a timeout). */
export type ResponderMode = 'answer' | 'servfail' | 'timeout'

const TYPE_A = 1
const TYPE_AAAA = 28
const RCODE_SERVFAIL = 2
const RCODE_NXDOMAIN = 3

/** The 16 bytes of an IPv6 address (`::` expanded). */
function ipv6Bytes (address: string): Buffer {
  const [head = '', tail] = address.split('::')
  const groupsOf = (part: string) => part === '' ? [] : part.split(':')
  const front = groupsOf(head)
  const back = tail === undefined ? [] : groupsOf(tail)
  const groups = [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back]
  const bytes = Buffer.alloc(16)
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2))
  return bytes
}

/** The question of a query: its name (lower-case, no trailing dot), type, and where it ends. */
function readQuestion (query: Buffer): { name: string, type: number, end: number } {
  const labels: string[] = []
  let offset = 12
  for (let length = query[offset] ?? 0; length !== 0; length = query[offset] ?? 0) {
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'))
    offset += 1 + length
  }
  offset += 1
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(offset), end: offset + 4 }
}

/**
 * A tiny authoritative DNS server over UDP on 127.0.0.1 for tests (no DNS server runs on the
 * machine): answers A and AAAA queries for the names it was given, with their TTLs; NXDOMAIN for
 * other names; NOERROR with no answer (NODATA) for a known name without records of the type.
 * `mode` makes it answer SERVFAIL or drop queries (the client times out). Counts the queries.
 */
export class DnsResponder {
  mode: ResponderMode = 'answer'
  /** Queries received, by `name/type` (type `A` or `AAAA`). */
  readonly queries = new Map<string, number>()
  private readonly records = new Map<string, AddressRecord[]>()
  private readonly socket = dgram.createSocket('udp4')

  constructor () {
    this.socket.on('message', (query, peer) => {
      const reply = this.answer(query)
      if (reply !== undefined) this.socket.send(reply, peer.port, peer.address)
    })
  }

  /** Sets the records of `name` (IPv4 and IPv6 mixed); an empty list makes the name exist with no address. */
  set (name: string, records: readonly AddressRecord[]): void {
    this.records.set(name.toLowerCase(), [...records])
  }

  /** Forgets `name`: it is answered NXDOMAIN. */
  remove (name: string): void {
    this.records.delete(name.toLowerCase())
  }

  /** Queries of `name` for `type` so far. */
  queriesOf (name: string, type: 'A' | 'AAAA' = 'A'): number {
    return this.queries.get(`${name.toLowerCase()}/${type}`) ?? 0
  }

  /** Binds to a free UDP port on 127.0.0.1; resolves with `127.0.0.1:port`, the form `setServers` takes. */
  async listen (): Promise<string> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', resolve))
    return `127.0.0.1:${this.socket.address().port}`
  }

  close (): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()))
  }

  private answer (query: Buffer): Buffer | undefined {
    if (query.length < 17) return undefined
    const { name, type, end } = readQuestion(query)
    if (type === TYPE_A || type === TYPE_AAAA) {
      const key = `${name}/${type === TYPE_A ? 'A' : 'AAAA'}`
      this.queries.set(key, (this.queries.get(key) ?? 0) + 1)
    }
    if (this.mode === 'timeout') return undefined
    const known = this.records.get(name)
    const rcode = this.mode === 'servfail' ? RCODE_SERVFAIL : known === undefined ? RCODE_NXDOMAIN : 0
    const matching = rcode !== 0 ? [] : (known ?? []).filter((r) => isIPv4(r.address) === (type === TYPE_A) && (type === TYPE_A || type === TYPE_AAAA))
    const header = Buffer.alloc(12)
    query.copy(header, 0, 0, 2) // id
    // QR, opcode 0, AA, RD copied from the query; RA; the rcode.
    header.writeUInt16BE(0x8400 | ((query[2] ?? 0) & 0x01) << 8 | 0x0080 | rcode, 2)
    header.writeUInt16BE(1, 4)
    header.writeUInt16BE(matching.length, 6)
    const answers = matching.map((record) => {
      const data = type === TYPE_A ? Buffer.from(record.address.split('.').map(Number)) : ipv6Bytes(record.address)
      const rr = Buffer.alloc(12)
      rr.writeUInt16BE(0xc00c, 0) // the name: a pointer to the question's
      rr.writeUInt16BE(type, 2)
      rr.writeUInt16BE(1, 4) // class IN
      rr.writeUInt32BE(record.ttlSeconds, 6)
      rr.writeUInt16BE(data.length, 10)
      return Buffer.concat([rr, data])
    })
    return Buffer.concat([header, query.subarray(12, end), ...answers])
  }
}
