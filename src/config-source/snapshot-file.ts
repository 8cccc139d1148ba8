import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { RouteTableDocument } from './l2-redis.js'

/**
 * The last-good route table on local disk: written after each route table a worker applied, read
 * when a node starts while Redis and the config service are both unreachable. Written to a
 * temporary name and renamed, so a crash mid-write leaves the previous file whole. Its folder is
 * created when missing (a fresh node's `state/`).
 */
export async function writeSnapshotFile (path: string, table: RouteTableDocument): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`
  await mkdir(dirname(path), { recursive: true })
  await writeFile(temporary, JSON.stringify({ version: table.version, document: table.document }))
  await rename(temporary, path)
}

/** The saved route table; throws when the file is missing or not one. */
export async function readSnapshotFile (path: string): Promise<RouteTableDocument> {
  const value = JSON.parse(await readFile(path, 'utf8')) as { version?: unknown, document?: unknown }
  if (typeof value.version !== 'number' || typeof value.document !== 'object' || value.document === null) {
    throw new Error(`${path} is not a saved route table ({"version":N,"document":{…}})`)
  }
  return { version: value.version, document: value.document as Record<string, unknown> }
}
