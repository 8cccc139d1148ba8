/** The control plane's own config file (`tollgate control-plane -c FILE`): MySQL, Redis, listeners. */
import { Type, type Static } from '@sinclair/typebox'
import { RedisSchema } from '../config/schema/redis.js'
import { LOG_LEVELS } from '../config/schema/gateway.js'
import { Host, ListenPort, Port, PositiveInt, Section, StringEnum, TimeoutMs } from '../config/schema/typedefs.js'

export const MysqlSchema = Section({
  host: Host('MySQL/MariaDB host; default "127.0.0.1".', '127.0.0.1'),
  port: Port('Port; default 3306.', 3306),
  user: Type.String({ minLength: 1, default: 'root', description: 'User; default "root".' }),
  password: Type.String({ default: '', description: 'Password; default "" (none).' }),
  database: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: 'tollgate', description: 'Database (created by the operator); default "tollgate".' }),
  connection_limit: PositiveInt('Most pooled connections; default 10.', 10, 1000),
  connect_timeout_ms: TimeoutMs('Time to open a connection; default 5000.', 5_000)
}, 'Where configuration is stored; default {}.')

export const ControlPlaneSettingsSchema = Type.Object({
  mysql: MysqlSchema,
  redis: Type.Object(RedisSchema.properties, { additionalProperties: false, default: {}, description: 'The Redis the relay writes (same server and key_prefix as the gateways); default {} (127.0.0.1:6379, prefix "tg:").' }),
  admin: Section({
    host: Host('Address of the admin REST API; default "127.0.0.1". Without a token only loopback addresses are accepted.', '127.0.0.1'),
    port: ListenPort('Port of the admin REST API; 0 picks a free one; default 9170 (9180 is the gateway status listener).', 9170),
    token: Type.Optional(Type.String({ minLength: 16, description: 'Bearer token required on every admin request (at least 16 characters); default none (loopback only).' })),
    max_body_bytes: PositiveInt('Largest request body; default 4194304 (4 MiB).', 4 * 1024 * 1024, 256 * 1024 * 1024)
  }, 'The admin REST API; default {}.'),
  rpc: Section({
    host: Host('Address of the config RPC service (gRPC, plaintext, no authentication: keep it on a private network); default "127.0.0.1".', '127.0.0.1'),
    port: ListenPort('Port of the config RPC service; 0 picks a free one; default 9190.', 9190)
  }, 'The config RPC service; default {}.'),
  relay: Section({
    poll_ms: PositiveInt('Outbox poll interval when no local write woke the relay; default 100.', 100, 60_000),
    batch_size: PositiveInt('Outbox rows relayed per round; default 500.', 500, 10_000),
    stream_max_length: PositiveInt('Approximate cap of the cfg:changes stream; default 100000.', 100_000, 100_000_000)
  }, 'The outbox → Redis relay; default {}.'),
  plugins_dir: Type.Optional(Type.String({ minLength: 1, description: 'Folder of third-party plugins whose schemas validate bindings, relative to this file; default none.' })),
  log: Section({
    level: StringEnum(LOG_LEVELS, 'Least severe level written; default "info".', 'info')
  }, 'Logging; default {}.')
}, { additionalProperties: false, description: 'The control plane settings file.' })

export type ControlPlaneSettings = Static<typeof ControlPlaneSettingsSchema>
export type MysqlSettings = ControlPlaneSettings['mysql']
