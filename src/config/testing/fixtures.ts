/** Test fixtures for the config tests: fake plugin schemas, a minimal valid document, temp PEMs. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Type, type TSchema } from '@sinclair/typebox'

/** Stand-ins for the real plugins' schemas (written elsewhere). */
export const FAKE_PLUGIN_SCHEMAS: Readonly<Record<string, TSchema>> = {
  'key-auth': Type.Object({
    header: Type.String({ default: 'apikey', description: 'Header with the key; default "apikey".' }),
    hide_credentials: Type.Boolean({ default: false, description: 'Remove the key upstream; default false.' })
  }, { additionalProperties: false }),
  'rate-limit': Type.Object({
    limit: Type.Integer({ minimum: 1, description: 'Requests per window; required.' }),
    window_seconds: Type.Integer({ minimum: 1, default: 60, description: 'Window length; default 60.' }),
    policy: Type.Unsafe<'local' | 'cluster'>({ type: 'string', enum: ['local', 'cluster'], default: 'local' })
  }, { additionalProperties: false })
}

/** The `pluginSchema` option for tests. */
export const fakePluginSchema = (name: string): TSchema | undefined => FAKE_PLUGIN_SCHEMAS[name]

/** A small valid document; each call returns a fresh copy to edit. */
export function minimalDocument (): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    services: [{ id: 'orders', targets: [{ host: '127.0.0.1', port: 9001 }] }],
    routes: [{ id: 'orders-api', service: 'orders', paths: ['/orders/*'] }],
    merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'key-one-123' }] } }],
    plugins: [{ name: 'key-auth' }]
  }
}

/** A temporary folder with `c.pem`/`k.pem` (self-signed, CN a.test) and `other-k.pem` (a different key). */
export interface TempPems {
  readonly dir: string
  readonly cleanup: () => void
}

/** Generates the PEMs with the openssl CLI. */
export function makeTempPems (): TempPems {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'))
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' }) }
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=a.test', '-keyout', 'k.pem', '-out', 'c.pem')
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'other-k.pem')
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}
