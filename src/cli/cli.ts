import { parseCommonOptions } from './args.js'
import * as commands from './commands.js'
import { USAGE } from './help.js'

const COMMANDS: Record<string, (options: ReturnType<typeof parseCommonOptions>) => number | Promise<number>> = {
  start: commands.start,
  reload: commands.reload,
  stop: commands.stop,
  validate: commands.validate,
  version: commands.version
}

/** Runs one CLI command; resolves with the exit status, or -1 for a command that keeps running. */
export async function runCli (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE.overview}\n`)
    return name === undefined ? 1 : 0
  }
  if (name === '--version' || name === '-v') return commands.version()
  const command = COMMANDS[name]
  if (command === undefined) {
    process.stderr.write(`tollgate: unknown command '${name}'\n\n${USAGE.overview}\n`)
    return 1
  }
  try {
    const options = parseCommonOptions(rest)
    if (options.help) {
      process.stdout.write(`${USAGE[name] ?? USAGE.overview}\n`)
      return 0
    }
    return await command(options)
  } catch (error) {
    process.stderr.write(`tollgate ${name}: ${(error as Error).message}\n`)
    return 1
  }
}
