import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-snapshot-'))
after(() => rmSync(dir, { recursive: true, force: true }))

test('the last-good route table is written into a folder that does not exist yet, and read back', async () => {
  const path = join(dir, 'state', 'nested', 'last-good.json')
  const table = { version: 7, document: { routes: [{ id: 'api', paths: ['/api/*'], service: 'svc' }] } }
  await writeSnapshotFile(path, table)
  assert.deepEqual(await readSnapshotFile(path), table)
})

test('a file that is not a saved route table is refused with its path', async () => {
  const path = join(dir, 'not-a-table.json')
  writeFileSync(path, '{"version":"7"}')
  await assert.rejects(readSnapshotFile(path), new RegExp(`${path} is not a saved route table`))
})
