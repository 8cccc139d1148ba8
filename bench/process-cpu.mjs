// What the side-by-side bench scripts (auth-compare.mjs, protocol-compare.mjs) share: free ports,
// pinning to a CPU, and the CPU time of a process group read from /proc.
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import net from 'node:net'

/** Microseconds per clock tick of /proc/<pid>/stat (USER_HZ is 100 on Linux). */
export const TICK_US = 1e6 / 100

/** `[command, args]` running `args` on `cpu` (taskset), or unpinned where taskset is missing. */
export function pinned (cpu, args) {
  return spawnSync('taskset', ['--version']).status === 0 ? ['taskset', ['-c', String(cpu), ...args]] : [args[0], args.slice(1)]
}

export function freePort () {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)) })
  })
}

/**
 * CPU ticks (user + system) of every process in the group `pgid`, summed per role: `roleOf`
 * names the role of a process from its command line (default: all in one role, 'group').
 */
export function groupTicks (pgid, roleOf = () => 'group') {
  const ticks = {}
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(fields[2]) !== pgid) continue
      const role = roleOf(readFileSync(`/proc/${entry}/cmdline`, 'latin1'))
      ticks[role] = (ticks[role] ?? 0) + Number(fields[11]) + Number(fields[12])
    } catch { /* the process ended while being read */ }
  }
  return ticks
}
