import { parseCommonOptions } from './args.js'
import * as commands from './commands.js'
import { USAGE } from './help.js'
import { status } from './status.js'
import { profileCli } from './profile.js'

const COMMANDS: Record<string, (options: ReturnType<typeof parseCommonOptions>) => number | Promise<number>> = {
  start: commands.start,
  reload: commands.reload,
  stop: commands.stop,
  validate: commands.validate,
  status,
  version: commands.version
}

/**
 * Commands with their own options (control plane): they parse their arguments themselves. Loaded
 * on use, so gateway processes (and every worker, which runs this file too) never load the
 * control plane's MySQL and gRPC modules.
 */
const OWN_OPTION_COMMANDS: Record<string, () => Promise<(args: string[]) => Promise<number>>> = {
  migrate: async () => (await import('./migrate.js')).migrateCommand,
  config: async () => (await import('./config-transfer.js')).configCommand,
  profile: async () => profileCli,
  'control-plane': async () => (await import('./control-plane.js')).controlPlaneCommand
}

/** Runs one CLI command; resolves with the exit status, or -1 for a command that keeps running. */
export async function runCli (argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE.overview}\n`)
    return name === undefined ? 1 : 0
  }
  if (name === '--version' || name === '-v') return commands.version()
  const ownOptions = OWN_OPTION_COMMANDS[name]
  if (ownOptions !== undefined) {
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${USAGE[name] ?? USAGE.overview}\n`)
      return 0
    }
    try {
      return await (await ownOptions())(rest)
    } catch (error) {
      process.stderr.write(`tollgate ${name}: ${(error as Error).message}\n`)
      return 1
    }
  }
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
