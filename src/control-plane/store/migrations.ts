/**
 * The schema, as an ordered list of migrations. Portable SQL for MariaDB ≥ 10.11 and MySQL ≥ 8.0:
 * bodies are LONGTEXT with a JSON_VALID check (not MySQL's binary JSON type, which reorders keys:
 * the RPC service hands out the stored bytes unchanged), ids are binary-collated ASCII (ids are
 * case-sensitive), every statement is `IF NOT EXISTS` so a half-applied migration can be re-run.
 * Never edit a migration that has shipped; append a new one.
 */

/** One migration: a stable id (recorded in `schema_migrations`) and its statements, run in order. */
export interface Migration {
  readonly id: string
  readonly statements: readonly string[]
}

const ID = 'VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin'
const REF = 'VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin'

/** An entity table: the shape every kind shares, plus columns the admin API filters on. */
function entityTable (table: string, extraColumns: string[] = [], extraKeys: string[] = []): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${table} (`,
    `  id ${ID} NOT NULL,`,
    '  version BIGINT UNSIGNED NOT NULL,',
    '  position BIGINT NOT NULL,',
    '  deleted TINYINT(1) NOT NULL DEFAULT 0,',
    '  body LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,',
    ...extraColumns.map((c) => `  ${c},`),
    '  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),',
    '  PRIMARY KEY (id),',
    `  KEY ${table}_order (deleted, position, id),`,
    ...extraKeys.map((k) => `  ${k},`),
    `  CONSTRAINT ${table}_body_json CHECK (body IS NULL OR JSON_VALID(body))`,
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4'
  ].join('\n')
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-entities-outbox',
    statements: [
      'CREATE TABLE IF NOT EXISTS config_version (id TINYINT UNSIGNED NOT NULL, version BIGINT UNSIGNED NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB',
      'INSERT IGNORE INTO config_version (id, version) VALUES (1, 0)',
      entityTable('services'),
      entityTable('routes', [`service_id ${REF} NULL`], ['KEY routes_service (service_id)']),
      entityTable('merchants', ['status VARCHAR(16) CHARACTER SET ascii NULL'], ['KEY merchants_status (status)']),
      entityTable('plugins', [
        'name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL',
        `route_id ${REF} NULL`, `service_id ${REF} NULL`, `merchant_id ${REF} NULL`
      ], ['KEY plugins_route (route_id)', 'KEY plugins_service (service_id)', 'KEY plugins_merchant (merchant_id)']),
      entityTable('certificates'),
      entityTable('credentials', [`merchant_id ${REF} NULL`], ['KEY credentials_merchant (merchant_id)']),
      entityTable('gateway_settings'),
      [
        'CREATE TABLE IF NOT EXISTS outbox (',
        '  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,',
        '  version BIGINT UNSIGNED NOT NULL,',
        '  kind VARCHAR(32) CHARACTER SET ascii NOT NULL,',
        `  entity_key ${ID} NOT NULL,`,
        '  op VARCHAR(8) CHARACTER SET ascii NOT NULL,',
        '  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),',
        '  PRIMARY KEY (id),',
        '  KEY outbox_version (version)',
        ') ENGINE=InnoDB'
      ].join('\n')
    ]
  }
]
