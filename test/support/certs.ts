import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A certificate and key made with the openssl CLI for a test. */
export interface TestCertificate {
  cert: string
  key: string
  certFile: string
  keyFile: string
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

function subjectAltName (names: string[]): string {
  return names.map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')
}

function read (certFile: string, keyFile: string): TestCertificate {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile, keyFile }
}

/** Makes a self-signed EC certificate for `names` (first is the CN) in `dir`. */
export function makeCertificate (dir: string, label: string, names: string[]): TestCertificate {
  const keyFile = join(dir, `${label}.key.pem`)
  const certFile = join(dir, `${label}.cert.pem`)
  execFileSync('openssl', [
    'req', '-x509', ...EC_KEY, '-days', '2',
    '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${subjectAltName(names)}`, '-keyout', keyFile, '-out', certFile
  ], { stdio: 'ignore' })
  return read(certFile, keyFile)
}

/** Makes a test certificate authority (a self-signed CA certificate that can sign others) in `dir`. */
export function makeAuthority (dir: string, label: string): TestCertificate {
  const keyFile = join(dir, `${label}.key.pem`)
  const certFile = join(dir, `${label}.cert.pem`)
  execFileSync('openssl', [
    'req', '-x509', ...EC_KEY, '-days', '2', '-subj', `/CN=${label}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', keyFile, '-out', certFile
  ], { stdio: 'ignore' })
  return read(certFile, keyFile)
}

/**
 * Makes a certificate for `names` (first is the CN) signed by `authority`, usable by a server and
 * as a client certificate.
 */
export function issueCertificate (dir: string, authority: TestCertificate, label: string, names: string[]): TestCertificate {
  const keyFile = join(dir, `${label}.key.pem`)
  const certFile = join(dir, `${label}.cert.pem`)
  const requestFile = join(dir, `${label}.csr.pem`)
  const extensionsFile = join(dir, `${label}.ext`)
  writeFileSync(extensionsFile, `subjectAltName=${subjectAltName(names)}\nextendedKeyUsage=serverAuth,clientAuth\n`)
  execFileSync('openssl', ['req', '-new', ...EC_KEY, '-subj', `/CN=${names[0]}`, '-keyout', keyFile, '-out', requestFile], { stdio: 'ignore' })
  execFileSync('openssl', [
    'x509', '-req', '-in', requestFile, '-CA', authority.certFile, '-CAkey', authority.keyFile, '-CAcreateserial',
    '-days', '2', '-extfile', extensionsFile, '-out', certFile
  ], { stdio: 'ignore' })
  return read(certFile, keyFile)
}
