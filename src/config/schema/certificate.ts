/** A TLS certificate for https listeners, picked by SNI. */
import { Type, type Static } from '@sinclair/typebox'
import { Flag, HostnamePattern, Id } from './typedefs.js'

/** A certificate (`certificates:` in the file). Give `cert` or `cert_file`, and `key` or `key_file`. */
export const CertificateSchema = Type.Object({
  id: Id('Unique id of the certificate; required.'),
  snis: Type.Array(HostnamePattern('Server name served with this certificate: exact or "*.example.com" (lower-cased on load).'), {
    minItems: 1,
    description: 'Server names (SNI) this certificate answers, at least one; required.'
  }),
  cert: Type.Optional(Type.String({ minLength: 1, description: 'Certificate chain as inline PEM; default none (then cert_file is required).' })),
  key: Type.Optional(Type.String({ minLength: 1, description: 'Private key as inline PEM; default none (then key_file is required).' })),
  cert_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the certificate chain, relative to the config file; default none.' })),
  key_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the private key, relative to the config file; default none.' })),
  default: Flag('Serve this certificate when no SNI matches (at most one); default false.', false)
}, { additionalProperties: false, description: 'A TLS certificate and key.' })

/** A certificate after schema validation (defaults applied; PEMs not yet loaded). */
export type CertificateEntry = Static<typeof CertificateSchema>
