// Benchmark of the lossless JSON codec (issue 4) against JSON.parse / JSON.stringify and, when it is
// installed, the npm package lossless-json. Run after a build:
//   npx tsc -p . && node bench/json-codec.mjs            (about 15 s; BENCH_MS=<ms per case> to change)
// Prints one table: ops/s and MB/s per operation and document size (~2 KB, ~20 KB, ~5 MB).
import { performance } from 'node:perf_hooks'
import { scan } from '../dist/src/codec/json/index.js'

const MS = Number(process.env.BENCH_MS ?? 300)

let lossless
try {
  lossless = await import(process.env.LOSSLESS_JSON ?? 'lossless-json')
} catch {
  lossless = undefined
}

// An order as a merchant sends it: int64 ids, escaped slashes and \u escapes, CJK text, nested items.
function item (k) {
  return `{"skuId": ${9007199254740993n + BigInt(k) * 7919n}, "title": "商品 ${k} \\u00e9\\/测试 – 无线耳机", "price": "${(k % 97) + 0.99}",` +
    ` "qty": ${1 + (k % 5)}, "attrs": {"color": "黑色", "size": "M", "url": "https:\\/\\/img.example.com\\/p\\/${k}.jpg"}, "tags": ["新品", "包邮"]}`
}
function order (items) {
  const list = Array.from({ length: items }, (_, k) => item(k)).join(',\n    ')
  return `{\n  "orderId": 9223372036854775807,\n  "waybillNo": 18446744073709551617,\n  "status": "CREATED",\n` +
    `  "merchant": {"id": 1234567890123456789, "name": "Tollgate \\/ 测试店铺", "city": "caf\\u00e9"},\n` +
    `  "buyer": {"name": "张三", "phone": "13800000000", "address": "北京市朝阳区 \\"望京\\" 1号"},\n` +
    `  "items": [\n    ${list}\n  ],\n  "remark": "请尽快发货\\n谢谢", "amount": 1234.50, "createdAt": "2026-01-01T00:00:00Z"\n}\n`
}

const DOCS = [['~2 KB', order(7)], ['~20 KB', order(84)], ['~5 MB', order(21000)]].map(([name, text]) => [name, Buffer.from(text)])

function measure (fn, bytes) {
  const warmEnd = performance.now() + Math.min(100, MS / 3)
  while (performance.now() < warmEnd) fn()
  let runs = 0
  const start = performance.now()
  let now = start
  while (now - start < MS || runs < 3) { fn(); runs++; now = performance.now() }
  const seconds = (now - start) / 1000
  return { ops: runs / seconds, mbs: (bytes * runs) / seconds / 1e6 }
}

const CASES = [
  ['scan+validate', 'tollgate scan()', (buf) => () => scan(buf)],
  ['scan+validate', 'buf.toString() + JSON.parse', (buf) => () => JSON.parse(buf.toString())],
  ['scan+validate', 'lossless-json parse', (buf) => lossless && (() => lossless.parse(buf.toString()))],
  ['read 3 fields', 'tollgate scan + get', (buf) => () => {
    const doc = scan(buf)
    return [doc.get('orderId').number().raw, doc.get(['merchant', 'name']).string(), doc.get(['items', 0, 'skuId']).number().raw]
  }],
  ['read 3 fields', 'JSON.parse + read', (buf) => () => {
    const v = JSON.parse(buf.toString())
    return [v.orderId, v.merchant.name, v.items[0].skuId]
  }],
  ['read 3 fields', 'lossless-json parse + read', (buf) => lossless && (() => {
    const v = lossless.parse(buf.toString())
    return [v.orderId, v.merchant.name, v.items[0].skuId]
  })],
  ['edit 1 + emit', 'tollgate scan + set + emit', (buf) => () => scan(buf).set(['status'], 'PAID').emit()],
  ['edit 1 + emit', 'JSON.parse + JSON.stringify', (buf) => () => {
    const v = JSON.parse(buf.toString())
    v.status = 'PAID'
    return JSON.stringify(v)
  }],
  ['edit 1 + emit', 'lossless-json parse + stringify', (buf) => lossless && (() => {
    const v = lossless.parse(buf.toString())
    v.status = 'PAID'
    return lossless.stringify(v)
  })]
]

// correctness first: the edit is one field, the rest byte for byte
const check = scan(DOCS[0][1]).set(['status'], 'PAID').emit()
if (Buffer.compare(Buffer.from(check), Buffer.from(DOCS[0][1].toString().replace('"CREATED"', '"PAID"'))) !== 0) throw new Error('edit changed other bytes')

console.log(`node ${process.version}, ${MS} ms per case; lossless-json: ${lossless ? 'loaded' : 'not installed (n/a)'}`)
console.log(`sizes: ${DOCS.map(([name, buf]) => `${name} = ${buf.length} B`).join(', ')}\n`)
console.log(`| operation | implementation | ${DOCS.map(([name]) => `${name} ops/s (MB/s)`).join(' | ')} |`)
console.log(`|---|---|${DOCS.map(() => '---:').join('|')}|`)
for (const [operation, implementation, make] of CASES) {
  const cells = DOCS.map(([, buf]) => {
    const fn = make(buf)
    if (!fn) return 'n/a'
    const { ops, mbs } = measure(fn, buf.length)
    return `${ops >= 100 ? Math.round(ops).toLocaleString('en-US') : ops.toFixed(1)} (${mbs.toFixed(0)})`
  })
  console.log(`| ${operation} | ${implementation} | ${cells.join(' | ')} |`)
}
