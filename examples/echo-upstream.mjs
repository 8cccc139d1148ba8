// A tiny upstream for the example config: answers every request with a JSON echo of what it
// received (method, path, query, headers, body size), so you can see what Tollgate forwards.
// Usage: node examples/echo-upstream.mjs [port]   (default 9001, listens on 127.0.0.1)
import http from 'node:http'

const port = Number(process.argv[2] ?? process.env.EXAMPLE_UPSTREAM_PORT ?? 9001)

const server = http.createServer((req, res) => {
  let bytes = 0
  req.on('data', (chunk) => { bytes += chunk.length })
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://upstream')
    const body = JSON.stringify({
      upstream: `127.0.0.1:${port}`,
      method: req.method,
      path: url.pathname,
      query: url.search.slice(1),
      headers: req.headers,
      body_bytes: bytes
    }, null, 2) + '\n'
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  })
})

server.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'example upstream listening', address: `127.0.0.1:${port}` }))
})
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)))
