import { createSecureContext, type SecureContext } from 'node:tls'
import type { CertificateConfig } from '../config/gateway-config.js'

/**
 * Certificates chosen by SNI: exact names first, then a one-label wildcard (`*.example.com`
 * covers `a.example.com`, not `a.b.example.com`, as in RFC 6125), then the default certificate.
 * Replaced as a whole on reload; listeners keep a reference to the holder, not to a context.
 */
export class TlsContexts {
  private exact = new Map<string, SecureContext>()
  private wildcard = new Map<string, SecureContext>()
  private fallback: SecureContext | undefined

  constructor (certificates: readonly CertificateConfig[]) {
    this.update(certificates)
  }

  /** Swaps in a new certificate set (config reload). */
  update (certificates: readonly CertificateConfig[]): void {
    const exact = new Map<string, SecureContext>()
    const wildcard = new Map<string, SecureContext>()
    let fallback: SecureContext | undefined
    for (const certificate of certificates) {
      const context = createSecureContext({ cert: certificate.cert, key: certificate.key })
      for (const sni of certificate.snis) {
        if (sni.startsWith('*.')) wildcard.set(sni.slice(2), context)
        else exact.set(sni, context)
      }
      if (certificate.default || fallback === undefined) fallback = certificate.default ? context : (fallback ?? context)
    }
    const explicit = certificates.find((c) => c.default)
    if (explicit !== undefined) fallback = createSecureContext({ cert: explicit.cert, key: explicit.key })
    this.exact = exact
    this.wildcard = wildcard
    this.fallback = fallback
  }

  /** The context for a server name (lower-cased), or the default one. */
  select (servername: string | undefined): SecureContext | undefined {
    if (servername === undefined || servername === '') return this.fallback
    const name = servername.toLowerCase()
    const exact = this.exact.get(name)
    if (exact !== undefined) return exact
    const dot = name.indexOf('.')
    if (dot !== -1) {
      const wild = this.wildcard.get(name.slice(dot + 1))
      if (wild !== undefined) return wild
    }
    return this.fallback
  }

  /** The node:tls SNICallback. */
  readonly sniCallback = (servername: string, done: (err: Error | null, ctx?: SecureContext) => void): void => {
    done(null, this.select(servername))
  }
}
