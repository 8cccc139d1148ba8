// Runs the public JSONTestSuite parsing corpus (../shared/data/JSONTestSuite beside the repo).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { JsonSyntaxError, scan } from './index.js'

function repoRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above the test file')
    dir = up
  }
  return dir
}

const SUITE = resolve(repoRoot(), '../shared/data/JSONTestSuite/test_parsing')

/**
 * Our decision for every implementation-defined (`i_`) file; README.md carries the same table.
 * 'accept' means accepted and emitted byte for byte.
 */
export const I_DECISIONS: Record<string, string> = {
  'i_number_double_huge_neg_exp.json': 'accept',
  'i_number_huge_exp.json': 'accept',
  'i_number_neg_int_huge_exp.json': 'accept',
  'i_number_pos_double_huge_exp.json': 'accept',
  'i_number_real_neg_overflow.json': 'accept',
  'i_number_real_pos_overflow.json': 'accept',
  'i_number_real_underflow.json': 'accept',
  'i_number_too_big_neg_int.json': 'accept',
  'i_number_too_big_pos_int.json': 'accept',
  'i_number_very_big_negative_int.json': 'accept',
  'i_object_key_lone_2nd_surrogate.json': 'accept',
  'i_string_1st_surrogate_but_2nd_missing.json': 'accept',
  'i_string_1st_valid_surrogate_2nd_invalid.json': 'accept',
  'i_string_UTF-16LE_with_BOM.json': 'TG_JSON_BOM',
  'i_string_UTF-8_invalid_sequence.json': 'TG_JSON_INVALID_UTF8',
  'i_string_UTF8_surrogate_U+D800.json': 'TG_JSON_INVALID_UTF8',
  'i_string_incomplete_surrogate_and_escape_valid.json': 'accept',
  'i_string_incomplete_surrogate_pair.json': 'accept',
  'i_string_incomplete_surrogates_escape_valid.json': 'accept',
  'i_string_invalid_lonely_surrogate.json': 'accept',
  'i_string_invalid_surrogate.json': 'accept',
  'i_string_invalid_utf-8.json': 'TG_JSON_INVALID_UTF8',
  'i_string_inverted_surrogates_U+1D11E.json': 'accept',
  'i_string_iso_latin_1.json': 'TG_JSON_INVALID_UTF8',
  'i_string_lone_second_surrogate.json': 'accept',
  'i_string_lone_utf8_continuation_byte.json': 'TG_JSON_INVALID_UTF8',
  'i_string_not_in_unicode_range.json': 'TG_JSON_INVALID_UTF8',
  'i_string_overlong_sequence_2_bytes.json': 'TG_JSON_INVALID_UTF8',
  'i_string_overlong_sequence_6_bytes.json': 'TG_JSON_INVALID_UTF8',
  'i_string_overlong_sequence_6_bytes_null.json': 'TG_JSON_INVALID_UTF8',
  'i_string_truncated-utf-8.json': 'TG_JSON_INVALID_UTF8',
  'i_string_utf16BE_no_BOM.json': 'TG_JSON_UNEXPECTED_CHAR',
  'i_string_utf16LE_no_BOM.json': 'TG_JSON_UNEXPECTED_CHAR',
  'i_structure_500_nested_arrays.json': 'TG_JSON_TOO_DEEP',
  'i_structure_UTF-8_BOM_empty_object.json': 'TG_JSON_BOM'
}

/** `y_` files that hold duplicate keys: rejected by default (issue 4), accepted with `duplicateKeys: 'allow'`. */
const DUPLICATE_KEY_FILES = new Set(['y_object_duplicated_key.json', 'y_object_duplicated_key_and_value.json'])

/** Re-emits through the member-by-member path (first member replaced by itself) to test separators. */
function reemitThroughEdit (bytes: Buffer, allowDuplicates: boolean): Uint8Array | undefined {
  const doc = scan(bytes, { duplicateKeys: allowDuplicates ? 'allow' : 'reject' })
  const root = doc.root
  const first: string | number | undefined = root.kind === 'array' ? 0 : root.keys()[0]
  if (first === undefined || root.length === 0) return undefined
  const value = root.get(first)
  assert.ok(value !== undefined)
  doc.set([first], value)
  return doc.emit()
}

const present = existsSync(SUITE)
if (!present) {
  const message = `JSONTestSuite not found at ${SUITE}`
  if (process.env.CI === 'true') {
    test('JSONTestSuite corpus is present', () => { assert.fail(message) })
  } else {
    console.warn(`\n*** SKIPPING the JSONTestSuite tests: ${message} ***\n`)
    test('JSONTestSuite corpus', { skip: message }, () => {})
  }
} else {
  const files = readdirSync(SUITE).filter((name) => name.endsWith('.json')).sort()

  test('every y_ file is accepted and round-trips byte for byte', () => {
    const yes = files.filter((name) => name.startsWith('y_'))
    assert.equal(yes.length, 95)
    for (const name of yes) {
      const bytes = readFileSync(join(SUITE, name))
      const allow = DUPLICATE_KEY_FILES.has(name)
      const doc = scan(bytes, { duplicateKeys: allow ? 'allow' : 'reject' })
      assert.equal(doc.emit(), bytes, `${name}: emit() without edits must return the input buffer`)
      const edited = reemitThroughEdit(bytes, allow)
      if (edited !== undefined) assert.deepEqual(Buffer.from(edited), bytes, `${name}: member-wise re-emit changed bytes`)
      assert.doesNotThrow(() => scan(doc.emit({ compact: true }), { duplicateKeys: allow ? 'allow' : 'reject' }), name)
    }
  })

  test('y_ files with duplicate keys are rejected by default with TG_JSON_DUPLICATE_KEY', () => {
    for (const name of DUPLICATE_KEY_FILES) {
      assert.throws(() => scan(readFileSync(join(SUITE, name))), { code: 'TG_JSON_DUPLICATE_KEY' }, name)
    }
  })

  test('every n_ file is rejected with a coded, positioned error', { timeout: 20_000 }, () => {
    const no = files.filter((name) => name.startsWith('n_'))
    assert.equal(no.length, 188)
    for (const name of no) {
      const bytes = readFileSync(join(SUITE, name))
      assert.throws(() => scan(bytes), (error: unknown) => {
        assert.ok(error instanceof JsonSyntaxError, `${name}: ${String(error)}`)
        assert.match(error.code, /^TG_JSON_[A-Z0-9_]+$/)
        assert.ok(error.offset >= 0 && error.offset <= bytes.length, `${name}: offset ${error.offset}`)
        assert.ok(error.line >= 1 && error.column >= 1)
        return true
      }, name)
    }
  })

  test('every i_ file gets the documented decision', () => {
    const implementationDefined = files.filter((name) => name.startsWith('i_'))
    assert.deepEqual(implementationDefined, Object.keys(I_DECISIONS).sort())
    for (const name of implementationDefined) {
      const bytes = readFileSync(join(SUITE, name))
      let outcome: string
      try {
        const doc = scan(bytes)
        assert.equal(doc.emit(), bytes)
        outcome = 'accept'
      } catch (error) {
        outcome = (error as JsonSyntaxError).code
      }
      assert.equal(outcome, I_DECISIONS[name], name)
    }
  })
}
