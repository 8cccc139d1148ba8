/** Where the gateway's Redis is (rate-limit cluster policy, nonces, idempotency, the config cache's L2). */
import { Type, type Static } from '@sinclair/typebox'
import { Host, Port, PositiveInt, TimeoutMs } from './typedefs.js'

const Address = Type.Object({
  host: Host('Host name or address; required.'),
  port: Port('Port; required.')
}, { additionalProperties: false, description: 'A Redis server address.' })

/** `gateway.redis`: one server, a Sentinel set, or Cluster seed nodes. */
export const RedisSchema = Type.Object({
  host: Host('Host of a single Redis server; default "127.0.0.1" (ignored with sentinels or cluster_nodes).', '127.0.0.1'),
  port: Port('Port of a single Redis server; default 6379.', 6379),
  username: Type.Optional(Type.String({ minLength: 1, description: 'ACL user name; default none.' })),
  password: Type.Optional(Type.String({ minLength: 1, description: 'Password; default none.' })),
  db: Type.Integer({ minimum: 0, maximum: 255, default: 0, description: 'Database number (not with cluster_nodes); default 0.' }),
  key_prefix: Type.String({ maxLength: 128, default: 'tg:', description: 'Prefix of every key Tollgate writes; default "tg:".' }),
  sentinels: Type.Array(Address, { default: [], description: 'Sentinel addresses; when set, the master is found through them; default [].' }),
  sentinel_name: Type.String({ minLength: 1, default: 'mymaster', description: 'Master name known to the sentinels; default "mymaster".' }),
  cluster_nodes: Type.Array(Address, { default: [], description: 'Redis Cluster seed nodes; when set, Tollgate talks Cluster; default [].' }),
  connect_timeout_ms: TimeoutMs('Time to open a connection; default 1000.', 1_000),
  command_timeout_ms: TimeoutMs('Longest a request waits on one Redis command before it is treated as failed; default 200.', 200),
  max_reconnect_delay_ms: PositiveInt('Longest pause between reconnect attempts, ms; default 2000.', 2_000, 60_000)
}, { additionalProperties: false, description: 'The Redis used by plugins and the config cache; default none (features that need it fall back or stay off).' })

export type RedisSettings = Static<typeof RedisSchema>
