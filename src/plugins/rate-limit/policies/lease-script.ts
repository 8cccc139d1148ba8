import type { RedisClient } from '../../../kit/redis.js'

/** The largest lease (DESIGN.md §8): bounds what one worker can strand when it stops using a key. */
export const MAX_LEASE = 100

/**
 * Leases tokens for the limits of one key, atomically.
 *
 * KEYS: for each limit i, its counter in the current window, then its counter in the previous
 * window (read only for a sliding limit; the same hash tag, so one Cluster slot).
 * ARGV: n, live workers, max lease, then per limit: limit, want (1 = lease now), weight of the
 * previous window (0 for fixed windows), TTL ms for a new counter, and the requests this worker
 * admitted on its fallback in that window while Redis was unreachable (charged first, so the
 * counter learns of them; they may take it past the limit, which then refuses until the window ends).
 *
 * A counter holds the tokens handed out in its window, spent or not; it never exceeds the limit,
 * which is what makes the cluster never over-admit. For each wanted limit:
 *   left  = floor(limit − used − previous × weight)
 *   lease = clamp(floor(left / (4 · live workers)), 1, max lease), never more than left
 * If any wanted limit has nothing left, nothing is taken from any of them (a refused request must
 * not use up the others) and the reply names it: {0, i, used, previous}. Otherwise the reply is
 * {1, lease₁, left₁ after, lease₂, left₂ after, …}; a limit not wanted gets lease 0 and its left.
 */
export const LEASE_SCRIPT = `
local n = tonumber(ARGV[1])
local workers = tonumber(ARGV[2])
local maxLease = tonumber(ARGV[3])
local leases = {}
local lefts = {}
for i = 1, n do
  local a = 3 + (i - 1) * 5
  local charge = tonumber(ARGV[a + 5])
  if charge > 0 then
    local after = redis.call('INCRBY', KEYS[2 * i - 1], charge)
    if after == charge then redis.call('PEXPIRE', KEYS[2 * i - 1], tonumber(ARGV[a + 4])) end
  end
end
for i = 1, n do
  local a = 3 + (i - 1) * 5
  local limit = tonumber(ARGV[a + 1])
  local want = tonumber(ARGV[a + 2])
  local weight = tonumber(ARGV[a + 3])
  local used = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local previous = 0
  if weight > 0 then previous = tonumber(redis.call('GET', KEYS[2 * i]) or '0') end
  local left = math.floor(limit - used - previous * weight)
  if want == 1 then
    if left <= 0 then return {0, i, used, previous} end
    local lease = math.floor(left / (4 * workers))
    if lease < 1 then lease = 1 end
    if lease > maxLease then lease = maxLease end
    if lease > left then lease = left end
    leases[i] = lease
  else
    leases[i] = 0
  end
  lefts[i] = left
end
local reply = {1}
for i = 1, n do
  local lease = leases[i]
  if lease > 0 then
    local after = redis.call('INCRBY', KEYS[2 * i - 1], lease)
    if after == lease then redis.call('PEXPIRE', KEYS[2 * i - 1], tonumber(ARGV[3 + (i - 1) * 5 + 4])) end
  end
  reply[2 * i] = lease
  reply[2 * i + 1] = lefts[i] - lease
end
return reply
`

/**
 * Gives unspent tokens back to a counter that still exists. A counter that expired belongs to a
 * window that is over: giving back to it would create a key without a TTL, so nothing is done.
 */
export const RETURN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECRBY', KEYS[1], ARGV[1]) end
return -1
`

/** The scripts as commands on a client (ioredis sends EVALSHA, and the source once on NOSCRIPT). */
export interface LeaseCommands {
  tgRateLease (numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number[]>
  tgRateReturn (key: string, tokens: number): Promise<number>
}

const defined = new WeakSet<object>()

/** Defines the scripts on `client` once and returns it typed with them. */
export function leaseCommands (client: RedisClient): LeaseCommands {
  if (!defined.has(client)) {
    client.defineCommand('tgRateLease', { lua: LEASE_SCRIPT })
    client.defineCommand('tgRateReturn', { lua: RETURN_SCRIPT, numberOfKeys: 1 })
    defined.add(client)
  }
  return client as unknown as LeaseCommands
}
