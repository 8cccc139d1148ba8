/** Usage text of each command; `tollgate --help` prints the overview. */
export const USAGE: Record<string, string> = {
  overview: `Tollgate — a plugin-driven API gateway

Usage: tollgate <command> [options]

Commands:
  start      start the gateway (a primary and its workers) on a config file
  reload     make a running gateway load its config file again (same as SIGHUP)
  stop       drain and stop a running gateway (same as SIGTERM)
  validate   check a config file without starting anything
  version    print the version

Run 'tollgate <command> --help' for the options of a command.`,
  start: `Usage: tollgate start -c FILE [--workers N] [--pid-file PATH]

  -c, --config FILE    the YAML config file (required)
  -w, --workers N      worker processes; 0 = one per CPU (default: gateway.workers of the file)
      --pid-file PATH  where the primary's pid is written (default: a file in the temp folder named after FILE)

Signals to the primary: SIGHUP reloads the config, SIGTERM/SIGINT drain and stop, SIGUSR1 reopens log files.`,
  reload: `Usage: tollgate reload -c FILE [--pid-file PATH]

Sends SIGHUP to the gateway started with the same FILE (or pid file). The new config is validated
first; if it is invalid the gateway keeps the running one and logs every problem.`,
  stop: `Usage: tollgate stop -c FILE [--pid-file PATH] [--timeout SECONDS]

Sends SIGTERM and waits (default 60 s) until the gateway has drained and exited.`,
  validate: `Usage: tollgate validate -c FILE

Checks FILE (schema, references, plugin configs, certificates) and lists every problem as
"file: /json/path: reason". Exit status 0 when valid, 1 otherwise.`,
  version: 'Usage: tollgate version'
}
