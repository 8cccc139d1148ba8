/**
 * Reusable field types for the entity schemas (the role of Kong's `typedefs.lua`). Each one takes
 * the field's description (which states its default) and, where it has one, the default itself.
 * Checks JSON Schema cannot say briefly (an IP address, a host name) are Ajv formats registered
 * in `../ajv.ts`; every pattern and format here has a readable reason in `REASONS` below.
 */
import { Type, type TSchema, type TUnsafe } from '@sinclair/typebox'

/** The id of an entity: starts with a letter or digit, then letters, digits, `.`, `_`, `-`; ≤ 128 chars. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
/** A plugin name: the plugin's folder name, lower-case kebab-case. */
export const PLUGIN_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,63}$'
/** An HTTP header name (an RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"
/** A route path pattern: `/exact`, `/prefix/*` or `~regex`. */
export const PATH_PATTERN_PATTERN = '^[/~]'
/** A base path for upstream requests: empty or starting with `/`. */
export const BASE_PATH_PATTERN = '^(/[^?#]*)?$'

/** Names of the formats `../ajv.ts` registers. */
export const FORMAT = {
  /** A host name or an IPv4/IPv6 address (no wildcard). */
  host: 'tg-host',
  /** A host name, optionally starting with the wildcard label `*.`. */
  hostnamePattern: 'tg-hostname-pattern',
  /** An IPv4/IPv6 address or a CIDR block. */
  cidr: 'tg-cidr',
  /** An HTTP method name, any case. */
  httpMethod: 'tg-http-method',
  /** A JSON text (strict RFC 8259, as the lossless codec reads it). */
  json: 'tg-json'
} as const

/** Readable reasons for pattern and format failures, keyed by the pattern or format. */
export const REASONS: Readonly<Record<string, string>> = {
  [ID_PATTERN]: 'must be an id: a letter or digit, then letters, digits, ".", "_" or "-" (at most 128 characters)',
  [PLUGIN_NAME_PATTERN]: 'must be a plugin name: lower-case letters, digits, "_" or "-", starting with a letter',
  [HEADER_NAME_PATTERN]: 'must be an HTTP header name',
  [PATH_PATTERN_PATTERN]: "a path pattern must start with '/' (exact or '/prefix/*') or '~' (regular expression)",
  [BASE_PATH_PATTERN]: "must be empty or a path starting with '/' (without query or fragment)",
  [FORMAT.host]: 'must be a host name or an IP address',
  [FORMAT.hostnamePattern]: "must be a host name, optionally starting with the wildcard '*.' (e.g. '*.example.com')",
  [FORMAT.cidr]: "must be an IP address or a CIDR block (e.g. '10.0.0.0/8', 'fd00::/8')",
  [FORMAT.httpMethod]: 'must be an HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE, CONNECT)',
  [FORMAT.json]: 'must be a JSON text (strict RFC 8259, e.g. \'{"id": 12345678901234567890}\')'
}

/** A string restricted to `values`, as a plain JSON Schema `enum` (clearer errors than a union). */
export function StringEnum<const T extends readonly string[]> (values: T, description: string, defaultValue?: T[number]): TUnsafe<T[number]> {
  const schema: Record<string, unknown> = { type: 'string', enum: [...values], description }
  if (defaultValue !== undefined) schema.default = defaultValue
  return Type.Unsafe<T[number]>(schema)
}

/** An entity id (see `ID_PATTERN`); also used for references to other entities. */
export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description })

/** A host to bind or connect to: a host name or an IP address. */
export const Host = (description: string, defaultValue?: string) =>
  Type.String({ format: FORMAT.host, maxLength: 253, description, ...(defaultValue === undefined ? {} : { default: defaultValue }) })

/** A host name to match (route hosts, certificate SNIs): exact or `*.example.com`; lower-cased on load. */
export const HostnamePattern = (description: string) => Type.String({ format: FORMAT.hostnamePattern, maxLength: 253, description })

/** A TCP port to connect to: 1..65535. */
export const Port = (description: string, defaultValue?: number) =>
  Type.Integer({ minimum: 1, maximum: 65535, description, ...(defaultValue === undefined ? {} : { default: defaultValue }) })

/** A TCP port to listen on: 0..65535, where 0 asks the OS for a free port (tests). */
export const ListenPort = (description: string, defaultValue?: number) =>
  Type.Integer({ minimum: 0, maximum: 65535, description, ...(defaultValue === undefined ? {} : { default: defaultValue }) })

/** One day: the longest timeout the config accepts, to catch seconds-vs-ms mistakes in the other direction. */
const MAX_TIMEOUT_MS = 86_400_000

/** A timeout or interval in milliseconds: 1 ms .. 1 day. */
export const TimeoutMs = (description: string, defaultValue: number) =>
  Type.Integer({ minimum: 1, maximum: MAX_TIMEOUT_MS, description, default: defaultValue })

/** An integer ≥ 1, optionally capped. */
export const PositiveInt = (description: string, defaultValue?: number, maximum?: number) =>
  Type.Integer({
    minimum: 1,
    description,
    ...(maximum === undefined ? {} : { maximum }),
    ...(defaultValue === undefined ? {} : { default: defaultValue })
  })

/** An HTTP method, any case on input; upper-cased on load. */
export const HttpMethod = (description: string) => Type.String({ format: FORMAT.httpMethod, description })

/** An IP address or CIDR block, e.g. `10.0.0.0/8`. */
export const Cidr = (description: string) => Type.String({ format: FORMAT.cidr, description })

/** A boolean with a default. */
export const Flag = (description: string, defaultValue: boolean) => Type.Boolean({ description, default: defaultValue })

/**
 * An object whose unknown properties are reported (typos), defaulting to `{}` so that its own
 * field defaults are filled in when the whole object is left out.
 */
export const Section = <P extends Record<string, TSchema>>(properties: P, description: string) =>
  Type.Object(properties, { additionalProperties: false, default: {}, description })
