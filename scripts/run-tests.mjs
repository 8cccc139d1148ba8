// Runs every compiled test file (dist/**/*.test.js) with Node's test runner.
// Node 20's runner takes no globs, so the files are listed here; extra arguments narrow the set
// to files whose path contains any of them (e.g. `node scripts/run-tests.mjs router`). Each test has
// 2 minutes at most, so a hung test fails the run instead of stalling CI.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'

function listTests (dir, found = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) listTests(path, found)
    else if (name.endsWith('.test.js')) found.push(path)
  }
  return found
}

const filters = process.argv.slice(2)
const files = listTests('dist').filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort()
if (files.length === 0) {
  console.error('run-tests: no test files found under dist/ (did the build run?)')
  process.exit(1)
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=120000', '--enable-source-maps', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
