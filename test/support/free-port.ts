import { createServer } from 'node:net'

// Ports are drawn below Linux's ephemeral range (32768-60999): a port the OS picked for `listen(0)`
// and released can be taken by any outgoing connection before the test's server binds it (seen as
// EADDRINUSE in a gateway's worker). Below that range only listeners compete, and a random draw
// over 12,000 ports keeps parallel test files apart.
const LOW = 20_000
const HIGH = 32_767
const ATTEMPTS = 50
const handedOut = new Set<number>()

function tryListen (port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** A TCP port free on 127.0.0.1 right now, not handed out before by this process. */
export async function freePort (): Promise<number> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1))
    if (handedOut.has(port)) continue
    if (await tryListen(port)) {
      handedOut.add(port)
      return port
    }
  }
  throw new Error(`no free port found in ${LOW}-${HIGH} after ${ATTEMPTS} attempts`)
}
