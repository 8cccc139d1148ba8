/** TLS to a service's targets, as every protocol's client and the active checks use it. */
import { readFileSync } from 'node:fs'
import { createSecureContext, rootCertificates, type ConnectionOptions } from 'node:tls'
import type { ServiceConfig } from '../config/gateway-config.js'
import type { Target } from './transport/transport.js'

/** The TLS settings of one service, files read. Plain JSON data: clients with equal settings are shared. */
export interface TargetTls {
  /** Verify the target's certificate and name (`tls.verify`, default true). */
  readonly verify: boolean
  /** SNI name and name to verify (`tls.servername`); undefined: the target's host name, if it has one. */
  readonly servername?: string
  /** Trusted CAs, PEM (`tls.ca_file`); undefined: the system CAs. */
  readonly ca?: string
  /** Client certificate chain and key, PEM (`tls.cert_file`, `tls.key_file`); undefined: none. */
  readonly cert?: string
  readonly key?: string
}

/**
 * The `tls` section of `service` as client settings, its files read here (once per config
 * version and settings group; the config checks found them readable and the key matching).
 */
export function targetTlsOf (service: ServiceConfig): TargetTls {
  const tls = service.tls
  return {
    verify: tls.verify,
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    ...(tls.ca_file === undefined ? {} : { ca: readFileSync(tls.ca_file, 'utf8') }),
    ...(tls.cert_file === undefined || tls.key_file === undefined ? {} : { cert: readFileSync(tls.cert_file, 'utf8'), key: readFileSync(tls.key_file, 'utf8') })
  }
}

/**
 * The node:tls connect options of `tls`: the CA is added to the system CAs (as the https
 * transport does) and the client certificate is shown when a server asks, in one secure context
 * built here, so connections share it rather than parse the CAs each.
 */
export function nodeTlsOptions (tls: TargetTls): ConnectionOptions {
  return {
    rejectUnauthorized: tls.verify,
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
    secureContext: createSecureContext({
      ...(tls.ca === undefined ? {} : { ca: [...rootCertificates, tls.ca] }),
      ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key })
    })
  }
}

/** `options` for one target: one resolved from a host name is checked against that name unless `tls.servername` says otherwise. */
export function tlsForTarget (options: ConnectionOptions, target: Pick<Target, 'hostName'>): ConnectionOptions {
  return options.servername === undefined && target.hostName !== undefined ? { ...options, servername: target.hostName } : options
}
