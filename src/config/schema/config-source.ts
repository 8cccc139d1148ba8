/** Where the route table and merchants come from: this file, or the control plane's cache levels. */
import { Type, type Static } from '@sinclair/typebox'
import { Host, Port, PositiveInt, Section, StringEnum, TimeoutMs } from './typedefs.js'

const MIB = 1024 * 1024

/** The config sources (DESIGN.md §1): this file, or the control plane's cache levels. */
export const CONFIG_SOURCE_KINDS = ['file', 'control-plane'] as const

/**
 * `config_source` at the root of the file. With `control-plane` (DESIGN.md §5, docs/control-plane.md)
 * the file is a bootstrap: `gateway` settings only, `rpc` and `gateway.redis` required; the route
 * table and merchants come from L1 (per worker) → L2 (Redis) → L3 (the config RPC service).
 */
export const ConfigSourceSchema = Type.Object({
  kind: StringEnum(CONFIG_SOURCE_KINDS, 'Where the route table and merchants come from: "file" (this file) or "control-plane"; default "file".', 'file'),
  node_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$', description: 'Name of this node in heartbeats (cfg:node:<id>); default the host name.' })),
  rpc: Type.Optional(Type.Object({
    host: Host('Host of the config RPC service; required.'),
    port: Port('Port of the config RPC service; required.'),
    deadline_ms: TimeoutMs('Deadline of one entity or changes call; default 500.', 500),
    snapshot_deadline_ms: TimeoutMs('Deadline of one route-table snapshot call; default 3000.', 3_000)
  }, { additionalProperties: false, description: 'The config RPC service (L3); required with kind control-plane.' })),
  l1: Section({
    max_bytes: PositiveInt('Memory bound of a worker\'s L1, estimated bytes; default 67108864 (64 MiB).', 64 * MIB, 16 * 1024 * MIB),
    ttl_ms: TimeoutMs('Hard staleness cap of an L1 entry; default 60000.', 60_000),
    jitter: Type.Number({ minimum: 0, maximum: 0.5, default: 0.1, description: 'Each entry\'s TTL is spread by ±this fraction so entries do not expire together; default 0.1.' }),
    negative_ttl_ms: TimeoutMs('How long "no such key" is remembered; default 5000.', 5_000),
    negative_max_entries: PositiveInt('Entries of the negative cache (its own LRU, so floods of unknown keys do not evict real ones); default 10000.', 10_000, 10_000_000),
    resurrect_ms: TimeoutMs('How long past its TTL an entry is still served when Redis and the config service both fail; default 30000.', 30_000)
  }, 'The per-worker in-process cache (L1); default {}.'),
  poll_interval_ms: TimeoutMs('Period of the version poll that repairs lost invalidation messages; default 1000.', 1_000),
  snapshot_file: Type.Optional(Type.String({ minLength: 1, description: 'Last-good route table, written on each new version and read when L2 and L3 are both down at start; relative to the config file; default none.' }))
}, { additionalProperties: false, default: {}, description: 'Where the route table and merchants come from; default {kind: "file"}. The control-plane source reads Redis through gateway.redis (its key_prefix included).' })

export type ConfigSourceSettings = Static<typeof ConfigSourceSchema>
/** The RPC address block, present once the cross checks accepted a control-plane source. */
export type RpcSettings = NonNullable<ConfigSourceSettings['rpc']>
