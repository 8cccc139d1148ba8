/** Cross checks of certificates: PEM sources, parsing, key match, SNI and default uniqueness. */
import type { CertificateEntry } from '../schema/certificate.js'
import type { CertificateConfig } from '../gateway-config.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'
import { pemPairProblems } from './pem-pair.js'
import { readConfigFile } from './read-file.js'

/** Reads one PEM from the inline field or the file field; reports a missing, doubled or unreadable source. */
function loadPem (at: string, entry: CertificateEntry, inline: 'cert' | 'key', baseDir: string, problems: ProblemList): string | undefined {
  const fileField = inline === 'cert' ? 'cert_file' : 'key_file'
  const text = entry[inline]
  const file = entry[fileField]
  if (text !== undefined && file !== undefined) {
    problems.add(`${at}/${fileField}`, `give either ${inline} (inline PEM) or ${fileField}, not both`)
    return undefined
  }
  if (text !== undefined) return text
  if (file === undefined) {
    problems.add(`${at}/${inline}`, `is required: give ${inline} (inline PEM) or ${fileField}`)
    return undefined
  }
  return readConfigFile(file, baseDir, `${at}/${fileField}`, problems)
}

/** Parses cert and key and checks they belong together; returns false after reporting a problem. */
function checkPair (at: string, entry: CertificateEntry, cert: string, key: string, problems: ProblemList): boolean {
  const found = pemPairProblems(cert, key)
  if (found.cert !== undefined) problems.add(`${at}/${entry.cert === undefined ? 'cert_file' : 'cert'}`, found.cert)
  if (found.key !== undefined) problems.add(`${at}/${entry.key === undefined ? 'key_file' : 'key'}`, found.key)
  return found.cert === undefined && found.key === undefined
}

/**
 * Loads and checks every usable certificate: exactly one source each for cert and key, files
 * readable (relative to `baseDir`), PEMs that parse, a key that matches its certificate; an SNI
 * in two certificates and more than one default certificate are problems. Returns the loaded ones.
 */
export function checkCertificates (certificates: ReadonlyArray<Item<CertificateEntry>>, baseDir: string, problems: ProblemList): CertificateConfig[] {
  const loaded: CertificateConfig[] = []
  const sniOwners = new Map<string, string>()
  let defaultAt: string | undefined
  for (const { at, entry } of certificates) {
    if (entry.default) {
      if (defaultAt === undefined) defaultAt = at
      else problems.add(`${at}/default`, `only one certificate may be the default (also ${defaultAt})`)
    }
    const snis = entry.snis.map((s) => s.toLowerCase())
    snis.forEach((sni, k) => {
      const owner = sniOwners.get(sni)
      if (owner === undefined) sniOwners.set(sni, entry.id)
      else problems.add(`${at}/snis/${k}`, `server name '${sni}' is already served by certificate '${owner}'`)
    })
    const cert = loadPem(at, entry, 'cert', baseDir, problems)
    const key = loadPem(at, entry, 'key', baseDir, problems)
    if (cert === undefined || key === undefined) continue
    if (checkPair(at, entry, cert, key, problems)) loaded.push({ id: entry.id, snis, cert, key, default: entry.default })
  }
  return loaded
}
