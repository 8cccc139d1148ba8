#!/usr/bin/env node
// Process entry: the CLI in the primary; node:cluster re-runs this file in each worker.
import cluster from 'node:cluster'
import { runCli } from './cli/cli.js'
import { runWorker } from './server/worker.js'

if (cluster.isWorker) {
  runWorker()
} else {
  runCli(process.argv.slice(2)).then((code) => {
    if (code >= 0) process.exitCode = code
  }, (error: unknown) => {
    process.stderr.write(`tollgate: ${(error as Error).stack ?? String(error)}\n`)
    process.exitCode = 1
  })
}
