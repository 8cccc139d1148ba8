// Import/export between the YAML file format and the control plane's database: export(import(file))
// is the file's normalised document (examples/tollgate.yaml and a richer fixture with every kind),
// the exported YAML loads back to the same document, and re-importing it changes nothing.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import type { Pool, RowDataPacket } from 'mysql2/promise'
import { MYSQL, skipUnlessReachable } from '../support/services.js'
import { createTempDatabase, type TempDatabase } from '../support/mysql-database.js'
import { openPool } from '../../src/control-plane/store/pool.js'
import { migrate } from '../../src/control-plane/store/migrate.js'
import { exportDocument, importDocument, toStoredDocument } from '../../src/control-plane/store/document-transfer.js'
import { documentToYaml } from '../../src/control-plane/store/export-yaml.js'
import { loadGatewayConfig } from '../../src/server/load-config.js'
import type { GatewayConfig } from '../../src/config/gateway-config.js'

const RICH = `
gateway:
  workers: 1
  listeners:
    - { name: plain, port: 18080 }
    - { name: tls, port: 18443, protocol: https }
  request_id: { header: X-Trace-Id }
services:
  - id: orders
    targets: [{ host: 127.0.0.1, port: 9001, weight: 50 }, { host: 127.0.0.2, port: 9001 }]
    balancer: consistent-hash
    hash_on: header
    hash_header: X-Shard
    path: /v1/
  - id: users
    targets: [{ host: users.internal, port: 80 }]
routes:
  - { id: orders, service: orders, paths: ["/orders/*"], hosts: [API.Example.COM], methods: [get, post], strip_path: true }
  - { id: users, service: users, paths: ["/users/*", "~^/u/[0-9]+$"], priority: 5 }
merchants:
  - id: acme
    name: Acme
    groups: [gold]
    credentials:
      api_keys: [{ key: acme-key-000001, label: primary }, { key: acme-key-000002 }]
      secrets: [{ id: s1, secret: "acme-secret-1 with $\${literal}" }]
  - { id: small, status: disabled }
plugins:
  - { name: key-auth, route: orders }
  - { name: rate-limit, service: users, config: { limit: 100 } }
  - { id: acme-orders-limit, name: rate-limit, route: orders, merchant: acme, config: { limit: 1000, window_seconds: 10 } }
  - { name: acl, merchant: small, config: { allow: [gold] } }
  - { name: access-log, enabled: false, config: { path: "-" } }
certificates:
  - { id: main, snis: [api.example.com, "*.example.com"], cert_file: c.pem, key_file: k.pem, default: true }
`

function stored (config: GatewayConfig) {
  return toStoredDocument(config)
}

describe('config import/export', { skip: await skipUnlessReachable('mysql', MYSQL) }, () => {
  let db: TempDatabase
  let pool: Pool
  let dir: string

  before(async () => {
    db = await createTempDatabase()
    pool = openPool(db.settings)
    await migrate(pool)
    dir = mkdtempSync(join(tmpdir(), 'tollgate-transfer-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=api.example.com', '-keyout', 'k.pem', '-out', 'c.pem'], { cwd: dir, stdio: 'ignore' })
    writeFileSync(join(dir, 'rich.yaml'), RICH)
  })
  after(async () => {
    await pool?.end()
    await db?.drop()
    rmSync(dir, { recursive: true, force: true })
  })

  async function load (path: string): Promise<GatewayConfig> {
    const loaded = await loadGatewayConfig(path)
    assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.problems))
    return loaded.config
  }

  async function roundTrip (path: string): Promise<void> {
    const config = await load(path)
    const summary = await importDocument(pool, config)
    assert.ok(summary.version > 0)
    const exported = await exportDocument(pool)
    assert.equal(exported.version, summary.version)
    assert.deepEqual(exported.document, stored(config), 'export(import(file)) is the normalised file')

    const yamlPath = join(dir, 'exported.yaml')
    writeFileSync(yamlPath, documentToYaml(exported.document, exported.version))
    const reloaded = await load(yamlPath)
    assert.deepEqual(stored(reloaded), stored(config), 'the exported YAML loads back to the same document')
    const again = await importDocument(pool, reloaded)
    assert.equal(again.created + again.updated + again.deleted, 0, 're-importing the export changes nothing')
    assert.equal(again.version, summary.version, 'and takes no version')
  }

  it('round-trips examples/tollgate.yaml exactly', async () => {
    await roundTrip('examples/tollgate.yaml')
  })

  it('round-trips a fixture with every kind (certificates, scoped bindings, secrets, a literal ${)', async () => {
    await roundTrip(join(dir, 'rich.yaml'))
    const exported = await exportDocument(pool)
    assert.match(String(exported.document.certificates[0]?.cert), /BEGIN CERTIFICATE/, 'PEM files are stored inline')
    assert.deepEqual(exported.document.routes[0]?.hosts, ['api.example.com'])
    assert.equal(exported.document.merchants[0]?.credentials && (exported.document.merchants[0].credentials as { secrets: Array<{ secret: string }> }).secrets[0]?.secret, 'acme-secret-1 with ${literal}')
  })

  it('an import replaces: entities missing from the file are deleted, in one version', async () => {
    const [before] = await pool.query<RowDataPacket[]>('SELECT MAX(id) AS id FROM outbox')
    const summary = await importDocument(pool, await load('examples/tollgate.yaml'))
    assert.ok(summary.deleted > 0 && summary.created > 0)
    const [rows] = await pool.query<RowDataPacket[]>('SELECT DISTINCT version FROM outbox WHERE id > ?', [before[0]?.id ?? 0])
    assert.deepEqual(rows.map((r) => Number(r.version)), [summary.version])
    const exported = await exportDocument(pool)
    assert.deepEqual(exported.document, stored(await load('examples/tollgate.yaml')))
    const [credentials] = await pool.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM credentials WHERE deleted = 0 AND merchant_id = 'acme'")
    assert.equal(Number(credentials[0]?.n), 0, "a deleted merchant's credentials leave the index")
  })
})
