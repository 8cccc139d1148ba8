import { Ajv, type ErrorObject } from 'ajv'
import formatsPlugin from 'ajv-formats'
import type { Static, TSchema } from '@sinclair/typebox'
import { FORMAT } from '../../config/schema/typedefs.js'
import { parseCidr } from './cidr.js'
import { isJsonText } from '../../config/json-text.js'

/** One problem found in a plugin config: a JSON pointer into the config and the reason. */
export interface ConfigProblem {
  /** JSON pointer of the offending value, e.g. `/limit`; `''` for the config object itself. */
  readonly path: string
  readonly reason: string
}

/** The outcome of validating one plugin config: the config with defaults applied, or every problem. */
export type ConfigCheck<S extends TSchema> =
  | { readonly ok: true, readonly config: Static<S> }
  | { readonly ok: false, readonly problems: readonly ConfigProblem[] }

/**
 * Compiles a plugin's TypeBox schema with the options the config loader uses (`allErrors`,
 * `useDefaults`), so schema tests see the same defaults and paths operators will.
 *
 * The returned function copies its input before validating: Ajv applies defaults in place, and a
 * caller's object must not change under it.
 */
export function compileConfigValidator<S extends TSchema> (schema: S): (config: unknown) => ConfigCheck<S> {
  const ajv = new Ajv({ allErrors: true, useDefaults: true })
  // The formats plugin schemas may use, as the config loader registers them (ajv-formats' `regex`,
  // Tollgate's `tg-cidr` and `tg-json`); ajv-formats is CommonJS, so its plugin is the `default` property.
  formatsPlugin.default(ajv, ['regex'])
  ajv.addFormat(FORMAT.cidr, (value: string) => parseCidr(value) !== undefined)
  ajv.addFormat(FORMAT.json, isJsonText)
  const validate = ajv.compile(schema)
  return (config) => {
    const copy: unknown = structuredClone(config)
    if (validate(copy)) return { ok: true, config: copy as Static<S> }
    return { ok: false, problems: (validate.errors ?? []).map(toProblem) }
  }
}

/** Required and unknown properties are reported at the missing or extra key, not at its parent. */
function toProblem (error: ErrorObject): ConfigProblem {
  const params = error.params as { missingProperty?: string, additionalProperty?: string }
  const key = params.missingProperty ?? params.additionalProperty
  const path = key === undefined ? error.instancePath : `${error.instancePath}/${key}`
  return { path, reason: error.message ?? error.keyword }
}
