/** Reads a file a config entry names, relative to the config file's folder; an unreadable one is a problem. */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { ProblemList } from '../problems.js'

/** The text of `file` (resolved against `baseDir`), or undefined after reporting at `at` why it cannot be read. */
export function readConfigFile (file: string, baseDir: string, at: string, problems: ProblemList): string | undefined {
  const path = resolve(baseDir, file)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    problems.add(at, `cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    return undefined
  }
}
