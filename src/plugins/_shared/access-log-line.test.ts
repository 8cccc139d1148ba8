import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { makeContext } from '../../../test/support/plugin-context.js'
import { accessLogLine, ms } from './access-log-line.js'

describe('access-log line', () => {
  it('is valid JSON when fields need escaping (quotes, backslashes, control and non-ASCII characters)', () => {
    const ctx = makeContext({
      request: { path: '/a"b\\c', query: 'q=1', headers: { 'user-agent': 'bot "x"\u0001 é 漢' } }
    })
    const line = accessLogLine(ctx, true)
    assert.ok(line.endsWith('\n'))
    const record = JSON.parse(line) as Record<string, unknown>
    assert.equal(record.path, '/a"b\\c')
    assert.equal(record.query, 'q=1')
    assert.equal(record.user_agent, 'bot "x"\u0001 é 漢')
    assert.equal(record.merchant, null)
  })

  it('carries the time of each plugin phase, null for a phase that did not run', () => {
    const ctx = makeContext({ timings: { phaseMs: { rewrite: 0.0123456, access: 2.5, content: -1 } } })
    const record = JSON.parse(accessLogLine(ctx, false)) as { phase_ms: unknown }
    assert.deepEqual(record.phase_ms, { rewrite: 0.012, access: 2.5, content: null })
  })

  it('prints milliseconds exactly as String(Math.round(v * 1000) / 1000) does', () => {
    const samples = [0, 0.0004, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.12, 0.123, 0.1234, 0.9995, 1, 1.5, 2.05, 10.005, 999.999, 1000, 123456.789]
    for (let i = 0; i < 20_000; i++) samples.push(i / 997, i * 0.001, i * 0.0137 + 0.00049)
    for (const value of samples) assert.equal(ms(value), String(Math.round(value * 1000) / 1000), `value ${value}`)
    assert.equal(ms(-1), 'null')
  })

  it('leaves the query out unless asked for', () => {
    const record = JSON.parse(accessLogLine(makeContext({ request: { query: 'apikey=secret' } }), false)) as Record<string, unknown>
    assert.equal('query' in record, false)
  })
})
