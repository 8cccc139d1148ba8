import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { stringify } from 'yaml'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess, MAIN } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const run = promisify(execFile)

async function cli (...args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args])
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number, stdout: string, stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('the tollgate CLI', () => {
  let dir: string
  before(() => { dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-')) })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('validate: exit 0 and a summary for a good file', async () => {
    const file = join(dir, 'good.yaml')
    writeFileSync(file, stringify(gatewayConfig({ port: 8080, upstreamPort: 9001 })))
    const result = await cli('validate', '-c', file)
    assert.equal(result.code, 0)
    assert.match(result.stdout, /^valid: 1 services, 1 routes/)
  })

  it('validate: exit 1 and every problem as file: path: reason', async () => {
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'services:\n  - id: s\n    targets: []\nroutes:\n  - id: r\n    service: missing\n    paths: ["/x"]\n    colour: red\n')
    const result = await cli('validate', '-c', file)
    assert.equal(result.code, 1)
    assert.match(result.stderr, new RegExp(`${file}: /services/0/targets: `))
    assert.match(result.stderr, new RegExp(`${file}: /routes/0/colour: `))
  })

  it('prints usage with --help and refuses unknown commands and options', async () => {
    assert.match((await cli('--help')).stdout, /Commands:\n\s+start/)
    assert.match((await cli('start', '--help')).stdout, /-c, --config FILE/)
    assert.equal((await cli('launch')).code, 1)
    const badOption = await cli('validate', '--colour')
    assert.equal(badOption.code, 1)
    assert.match(badOption.stderr, /Unknown option '--colour'/)
    assert.match((await cli('version')).stdout, /^tollgate \d+\.\d+\.\d+/)
  })

  it('reload and stop reach the running gateway through its pid file', async () => {
    const upstream = new UpstreamServer()
    const upstreamPort = await upstream.listen()
    const port = await freePort()
    const gateway = new GatewayProcess(gatewayConfig({ port, upstreamPort }))
    try {
      await gateway.start(1)
      assert.equal((await request(port, { path: '/a' })).status, 200)
      gateway.writeConfig(gatewayConfig({ port, upstreamPort, routes: [{ id: 'only-b', service: 'backend', paths: ['/b'] }] }))
      const reload = await cli('reload', '-c', gateway.configFile, '--pid-file', gateway.pidFile)
      assert.equal(reload.code, 0, reload.stderr)
      await gateway.waitForLog((l) => l.msg === 'worker serving config version' && l.version === 2)
      assert.equal((await request(port, { path: '/a' })).status, 404)
      const stop = await cli('stop', '-c', gateway.configFile, '--pid-file', gateway.pidFile)
      assert.equal(stop.code, 0, stop.stderr)
      assert.equal(await gateway.exited(), 0)
      const again = await cli('stop', '-c', gateway.configFile, '--pid-file', gateway.pidFile)
      assert.equal(again.code, 1)
      assert.match(again.stderr, /no pid file/)
    } finally {
      await gateway.stop()
      await upstream.close()
    }
  })
})
