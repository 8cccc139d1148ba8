// Config propagation in cluster mode: a real control plane and N gateway nodes on loopback, M
// changes made through the admin API (cycling: a plugin reconfigured for one merchant, a merchant
// key rotated, a route added), and for each the time from just before the write until each node
// serves the new behaviour. Prints p50/p99/max per node and until the last node. With more than
// one worker per node a request reaches one of them: a node counts as serving at its first answer
// that shows the change.
//   npm run build && node bench/control-plane-propagation.mjs
//   PROPAGATION_CHANGES=100 PROPAGATION_NODES=3 PROPAGATION_WORKERS=1 (defaults)
// Needs MariaDB/MySQL (TOLLGATE_TEST_MYSQL_HOST/_PORT/_USER/_PASSWORD, default root@127.0.0.1:3306,
// a throwaway database tg_test_<random> is created and dropped) and Redis
// (TOLLGATE_TEST_REDIS_HOST/_PORT, default 127.0.0.1:6379, keys under a random prefix, deleted).
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const support = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'test', 'support')
const { ControlPlaneCluster } = await import(join(support, 'control-plane-cluster.js'))
const { ChangeSequence, measurePropagation, summarize } = await import(join(support, 'config-propagation.js'))

function count (name, fallback) {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1`)
  return value
}

const changes = count('PROPAGATION_CHANGES', 100)
const nodes = count('PROPAGATION_NODES', 3)
const workers = count('PROPAGATION_WORKERS', 1)
// A change must arrive within this or the run fails (pub/sub normally; far past the 1 s poll bound).
const BOUND_MS = 30_000

const cluster = await ControlPlaneCluster.start({ nodes, workers, l1TtlMs: 60_000, pollMs: 1000, startTimeoutMs: 120_000 })
try {
  const sequence = new ChangeSequence(cluster)
  const perNode = []
  const untilLast = []
  for (let i = 0; i < changes; i++) {
    const times = await measurePropagation(cluster.nodes, sequence.next(), BOUND_MS)
    perNode.push(...times)
    untilLast.push(Math.max(...times))
  }
  console.log(`control-plane propagation, ${changes} changes, ${nodes} nodes × ${workers} worker(s):`)
  console.log(`  per node:            ${summarize(perNode)}`)
  console.log(`  until the last node: ${summarize(untilLast)}`)
} finally {
  await cluster.stop()
}
