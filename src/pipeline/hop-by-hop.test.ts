import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HeaderList } from '../kit/headers.js'
import { stripHopByHop, stripHopByHopFlat } from './hop-by-hop.js'

describe('hop-by-hop stripping', () => {
  it('removes hop-by-hop fields and the fields Connection names, case-insensitively', () => {
    const headers = HeaderList.fromRaw(['Connection', 'Keep-Alive, X-Secret', 'X-Secret', 's', 'TE', 'trailers', 'Upgrade', 'h2c', 'X-Kept', 'k'])
    stripHopByHop(headers)
    assert.deepEqual(headers.toFlat(), ['x-kept', 'k'])
  })

  it('returns the same flat list when there is nothing to strip', () => {
    const flat = ['content-type', 'text/plain', 'content-length', '2']
    assert.equal(stripHopByHopFlat(flat), flat)
  })

  it('strips a flat response list, with and without named fields', () => {
    assert.deepEqual(stripHopByHopFlat(['connection', 'keep-alive', 'keep-alive', 'timeout=5', 'x-a', '1']), ['x-a', '1'])
    assert.deepEqual(stripHopByHopFlat(['connection', 'close, X-A', 'x-a', '1', 'x-b', '2', 'transfer-encoding', 'chunked']), ['x-b', '2'])
  })
})
