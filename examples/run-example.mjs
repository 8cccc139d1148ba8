// Starts the example: the echo upstream, the TG-RPC and gRPC backends, then Tollgate on examples/tollgate.yaml. Ctrl-C (or
// SIGTERM) drains the gateway and stops the rest. Used by `npm run example` (the README's first command).
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const upstream = spawn(process.execPath, [join(root, 'examples/echo-upstream.mjs')], { stdio: 'inherit' })
const rpcBackend = spawn(process.execPath, [join(root, 'examples/tgrpc-backend.mjs')], { stdio: 'inherit' })
const grpcBackend = spawn(process.execPath, [join(root, 'examples/grpc-backend.mjs')], { stdio: 'inherit' })
const gateway = spawn(process.execPath, [join(root, 'dist/src/main.js'), 'start', '-c', join(root, 'examples/tollgate.yaml')], { stdio: 'inherit' })

let stopping = false
function stop () {
  if (stopping) return
  stopping = true
  gateway.kill('SIGTERM')
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
gateway.on('exit', (code) => {
  upstream.kill('SIGTERM')
  rpcBackend.kill('SIGTERM')
  grpcBackend.kill('SIGTERM')
  process.exitCode = code ?? 0
})
for (const [name, child] of [['upstream', upstream], ['TG-RPC backend', rpcBackend], ['gRPC backend', grpcBackend]]) {
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`example ${name} exited (${code}); stopping the gateway`)
      stop()
    }
  })
}
