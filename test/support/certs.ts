import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/** A self-signed certificate and key made with the openssl CLI for a test. */
export interface TestCertificate {
  cert: string
  key: string
  certFile: string
  keyFile: string
}

/** Makes a self-signed EC certificate for `names` (first is the CN) in `dir`. */
export function makeCertificate (dir: string, label: string, names: string[]): TestCertificate {
  const keyFile = join(dir, `${label}.key.pem`)
  const certFile = join(dir, `${label}.cert.pem`)
  const san = names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`, '-keyout', keyFile, '-out', certFile
  ], { stdio: 'ignore' })
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile }
}
