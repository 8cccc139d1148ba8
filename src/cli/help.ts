/** Usage text of each command; `tollgate --help` prints the overview. */
export const USAGE: Record<string, string> = {
  overview: `Tollgate — a plugin-driven API gateway

Usage: tollgate <command> [options]

Commands:
  start      start the gateway (a primary and its workers) on a config file
  reload     make a running gateway load its config file again (same as SIGHUP)
  stop       drain and stop a running gateway (same as SIGTERM)
  validate   check a config file without starting anything
  status     print the running gateway's status (GET /status on its status listener)
  profile    sample the running workers' CPU and write a .cpuprofile (and a flame graph page)
  version    print the version
  control-plane  run the control plane: admin API, config RPC service, outbox relay
  migrate    apply the control plane's database migrations
  config     export / import the configuration between a YAML file and the control plane's database

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
  status: `Usage: tollgate status -c FILE [--timeout SECONDS]

Prints GET /status of the gateway started with FILE, read from the status listener that FILE's
gateway.status names (with its token when one is set). Exit status 0 when it answered, 1 otherwise.`,
  profile: `Usage: tollgate profile (-c FILE | --status URL) --out FILE [--seconds N] [--worker PID] [--html FILE] [--interval-us U] [--token T]

Samples the workers of a running gateway with V8's CPU profiler while they keep serving, through
the status listener's POST /debug/profile (gateway.status in FILE, or --status http://HOST:PORT).

  -s, --seconds N      how long to sample (default 10; at most 300)
      --worker PID     one worker (default: all of them, merged under one root)
  -o, --out FILE       where the merged .cpuprofile goes (opens in Chrome DevTools and speedscope)
      --html FILE      also write the flame graph page (self-contained; open it in a browser)
      --interval-us U  sampling interval in microseconds (default 1000)
      --token T        status token (default $TOLLGATE_STATUS_TOKEN, then gateway.status.token)

See docs/profiling.md.`,
  version: 'Usage: tollgate version',
  'control-plane': `Usage: tollgate control-plane -c FILE

  -c, --config FILE    the control plane settings: mysql, redis, admin, rpc, relay (docs/control-plane.md)

Runs the admin REST API, the config RPC service and the outbox relay in one process. Migrations
run on start. SIGTERM/SIGINT stop it gracefully.`,
  migrate: `Usage: tollgate migrate -c FILE

Applies the schema migrations missing from the database of the control plane settings FILE.`,
  config: `Usage: tollgate config export -c FILE [-o OUT]
       tollgate config import -c FILE CONFIG.yaml

export  writes the stored configuration as a YAML config file (normalised: defaults written out)
import  validates CONFIG.yaml like 'tollgate validate' and makes the database hold exactly it
        (one transaction, one config version; entities missing from the file are deleted)`
}
