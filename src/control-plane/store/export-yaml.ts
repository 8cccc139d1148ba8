/** Writes a stored document as a YAML configuration file that loads back to the same document. */
import { stringify } from 'yaml'
import type { StoredDocument } from './document-transfer.js'

/** `${` would be read back as an environment reference; `$${` is the file format's literal. */
function escapeReferences (value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${', () => '$${') // a function: in a replacement string '$$' means one '$'
  if (Array.isArray(value)) return value.map(escapeReferences)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeReferences(v)]))
  }
  return value
}

export function documentToYaml (document: StoredDocument, version: number): string {
  const header = `# Exported by \`tollgate config export\` at config version ${version}. Normalised: every default is written out.\n`
  return header + stringify(escapeReferences(document), { lineWidth: 0, aliasDuplicateObjects: false })
}
