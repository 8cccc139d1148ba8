/** Parses a PEM certificate and private key and says what is wrong with the pair, if anything. */
import { X509Certificate, createPrivateKey } from 'node:crypto'

/** Why the certificate, or the key, of a pair cannot be used; both undefined for a good pair. */
export interface PemPairProblems {
  readonly cert?: string
  readonly key?: string
}

function firstLine (error: unknown): string {
  return String((error as Error).message).split('\n')[0] ?? 'unknown error'
}

/** Checks that `cert` is a PEM certificate, `key` a PEM private key, and that the key belongs to the certificate. */
export function pemPairProblems (cert: string, key: string): PemPairProblems {
  let x509: X509Certificate | undefined
  let certProblem: string | undefined
  try {
    x509 = new X509Certificate(cert)
  } catch (error) {
    certProblem = `not a PEM certificate: ${firstLine(error)}`
  }
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch (error) {
    return { ...(certProblem === undefined ? {} : { cert: certProblem }), key: `not a PEM private key: ${firstLine(error)}` }
  }
  if (x509 === undefined) return { cert: certProblem }
  return x509.checkPrivateKey(privateKey) ? {} : { key: 'the private key does not match the certificate' }
}
