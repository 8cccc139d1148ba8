import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateConfig, type ValidationResult } from '../validate.js'
import { fakePluginSchema, makeTempPems } from '../testing/fixtures.js'

const pems = makeTempPems()
after(() => pems.cleanup())
const options = { file: 'tollgate.yaml', baseDir: pems.dir, pluginSchema: fakePluginSchema }
const certPem = readFileSync(join(pems.dir, 'c.pem'), 'utf8')
const keyPem = readFileSync(join(pems.dir, 'k.pem'), 'utf8')
const httpsListener = { listeners: [{ name: 'tls', port: 8443, protocol: 'https' }] }

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the config to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

void test('certificate files are read relative to the config folder and loaded into the config', () => {
  const doc = { gateway: httpsListener, certificates: [{ id: 'a', snis: ['A.test', '*.a.test'], cert_file: 'c.pem', key_file: 'k.pem', default: true }] }
  const result = validateConfig(doc, options)
  if (!result.ok) assert.fail(JSON.stringify(result.problems))
  assert.deepEqual(result.config.certificates, [{ id: 'a', snis: ['a.test', '*.a.test'], cert: certPem, key: keyPem, default: true }])
  assert.equal(result.config.gateway.listeners[0]?.http2, true)
  assert.deepEqual(JSON.parse(JSON.stringify(result.config)), result.config)
})

void test('inline PEMs are accepted', () => {
  const result = validateConfig({ certificates: [{ id: 'a', snis: ['a.test'], cert: certPem, key: keyPem }] }, options)
  assert.equal(result.ok, true)
})

void test('a key that does not match the certificate is refused', () => {
  const doc = { certificates: [{ id: 'a', snis: ['a.test'], cert_file: 'c.pem', key_file: 'other-k.pem' }] }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [['/certificates/0/key_file', 'the private key does not match the certificate']])
})

void test('unreadable files, missing sources and doubled sources are reported', () => {
  const doc = {
    certificates: [
      { id: 'a', snis: ['a.test'], cert_file: 'nope.pem', key_file: 'k.pem' },
      { id: 'b', snis: ['b.test'], cert_file: 'c.pem' },
      { id: 'c', snis: ['c.test'], cert: certPem, cert_file: 'c.pem', key: keyPem }
    ]
  }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/certificates/0/cert_file', `cannot read '${join(pems.dir, 'nope.pem')}': ENOENT`],
    ['/certificates/1/key', 'is required: give key (inline PEM) or key_file'],
    ['/certificates/2/cert_file', 'give either cert (inline PEM) or cert_file, not both']
  ])
})

void test('text that is not PEM is refused for cert and key', () => {
  const doc = { certificates: [{ id: 'a', snis: ['a.test'], cert: 'not a certificate', key: 'not a key' }] }
  const problems = problemsOf(validateConfig(doc, options))
  assert.deepEqual(problems.map(([path]) => path), ['/certificates/0/cert', '/certificates/0/key'])
  assert.match(problems[0]?.[1] ?? '', /^not a PEM certificate: /)
  assert.match(problems[1]?.[1] ?? '', /^not a PEM private key: /)
})

void test('at most one default certificate; an SNI belongs to one certificate; ids are unique', () => {
  const entry = (id: string, sni: string) => ({ id, snis: [sni], cert_file: 'c.pem', key_file: 'k.pem', default: true })
  const doc = { certificates: [entry('a', 'a.test'), entry('b', 'A.TEST'), entry('a', 'c.test')] }
  assert.deepEqual(problemsOf(validateConfig(doc, options)), [
    ['/certificates/2/id', "duplicate certificate id 'a' (also at /certificates/0)"],
    ['/certificates/1/default', 'only one certificate may be the default (also /certificates/0)'],
    ['/certificates/1/snis/0', "server name 'a.test' is already served by certificate 'a'"],
    ['/certificates/2/default', 'only one certificate may be the default (also /certificates/0)']
  ])
})
