// tls.cert_file / tls.key_file of a service: both or neither, read and matched when the config loads.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { join } from 'node:path'
import { validateConfig, type ValidationResult } from '../validate.js'
import { fakePluginSchema, makeTempPems, minimalDocument } from '../testing/fixtures.js'

const pems = makeTempPems()
after(() => pems.cleanup())
const options = { file: 'tollgate.yaml', baseDir: pems.dir, pluginSchema: fakePluginSchema }

function withTls (tls: Record<string, unknown>): ValidationResult {
  const doc = minimalDocument()
  doc.services[0].protocol = 'https'
  doc.services[0].tls = tls
  return validateConfig(doc, options)
}

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the config to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

void test('a client certificate is checked with the config; the resolved service names the files by absolute path and validates again', () => {
  const result = withTls({ cert_file: 'c.pem', key_file: 'k.pem' })
  if (!result.ok) assert.fail(JSON.stringify(result.problems))
  const service = result.config.services[0]
  assert.deepEqual(service?.tls, { verify: true, cert_file: join(pems.dir, 'c.pem'), key_file: join(pems.dir, 'k.pem') })
  // The control plane stores the resolved form and validates it again, from another folder.
  assert.ok(validateConfig({ services: [service] }, { ...options, baseDir: '/' }).ok)
})

void test('cert_file without key_file, and key_file without cert_file, are refused at the missing field', () => {
  assert.deepEqual(problemsOf(withTls({ cert_file: 'c.pem' })), [
    ['/services/0/tls/key_file', 'required with cert_file: a client certificate needs both its certificate and its private key']
  ])
  assert.deepEqual(problemsOf(withTls({ key_file: 'k.pem' })), [
    ['/services/0/tls/cert_file', 'required with key_file: a client certificate needs both its certificate and its private key']
  ])
})

void test('a missing file is a config error naming the absolute path', () => {
  assert.deepEqual(problemsOf(withTls({ cert_file: 'gone.pem', key_file: 'k.pem' })), [
    ['/services/0/tls/cert_file', `cannot read '${join(pems.dir, 'gone.pem')}': ENOENT`]
  ])
})

void test('a key that is not the certificate\'s, and a certificate that is not PEM, are refused', () => {
  assert.deepEqual(problemsOf(withTls({ cert_file: 'c.pem', key_file: 'other-k.pem' })), [
    ['/services/0/tls/key_file', 'the private key does not match the certificate']
  ])
  const [certProblem] = problemsOf(withTls({ cert_file: 'k.pem', key_file: 'k.pem' }))
  assert.equal(certProblem?.[0], '/services/0/tls/cert_file')
  assert.match(certProblem?.[1] ?? '', /^not a PEM certificate: /)
})
