/** The client certificate of a service (`tls.cert_file` + `tls.key_file`), checked when the config loads. */
import type { ServiceEntry } from '../schema/service.js'
import type { ProblemList } from '../problems.js'
import { pemPairProblems } from './pem-pair.js'
import { readConfigFile } from './read-file.js'

/**
 * Reads and checks `tls.cert_file` and `tls.key_file` of the service at `at` (relative to
 * `baseDir`): both or neither, readable, PEMs that parse, a key that matches the certificate. A
 * missing or broken file is a problem of this config, not a failure of the first connection.
 * The PEMs are not kept: the clients read the files (the config, which the control plane stores,
 * carries no private key).
 */
export function checkClientCertificate (at: string, tls: ServiceEntry['tls'], baseDir: string, problems: ProblemList): void {
  const { cert_file: certFile, key_file: keyFile } = tls
  if (certFile === undefined && keyFile === undefined) return
  if (certFile === undefined || keyFile === undefined) {
    const [given, missing] = certFile === undefined ? ['key_file', 'cert_file'] : ['cert_file', 'key_file']
    problems.add(`${at}/tls/${missing}`, `required with ${given}: a client certificate needs both its certificate and its private key`)
    return
  }
  const cert = readConfigFile(certFile, baseDir, `${at}/tls/cert_file`, problems)
  const key = readConfigFile(keyFile, baseDir, `${at}/tls/key_file`, problems)
  if (cert === undefined || key === undefined) return
  const found = pemPairProblems(cert, key)
  if (found.cert !== undefined) problems.add(`${at}/tls/cert_file`, found.cert)
  if (found.key !== undefined) problems.add(`${at}/tls/key_file`, found.key)
}
