/**
 * The relay's Lua scripts. Each touches one key, so they run on Redis Cluster too (no cross-slot
 * scripts), and each only ever moves a version upwards, so replaying the outbox is harmless.
 */

/**
 * KEYS[1] an entity or snapshot key; ARGV[1] the version; ARGV[2] the value, which starts with
 * `{"version":N` (the relay writes it so; reading that prefix avoids decoding a large body).
 * Writes only when the stored version is lower. Returns 1 when written.
 */
export const SET_IF_NEWER = `
local current = redis.call('GET', KEYS[1])
if current then
  local stored = tonumber(string.match(current, '^{"version":(%d+)'))
  if stored and stored >= tonumber(ARGV[1]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`

/** KEYS[1] a counter holding a number; ARGV[1] a number. Sets it only upwards. Returns 1 when set. */
export const SET_MAX = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0
`
