/** What `tasklight --help`, `tasklight help COMMAND` and `tasklight COMMAND --help` print (on stdout, exit 0). */
import { version as packageVersion } from '../../../package.json';
import { DEFAULT_GRPC_PORT, DEFAULT_HOST, DEFAULT_HTTP_PORT } from '../instance-options';

export const VERSION: string = packageVersion;

export const MAIN_HELP = `Tasklight ${VERSION} - a local Google Cloud Tasks emulator

Usage:
  tasklight serve [options]          run the emulator headless: Cloud Tasks gRPC + REST, web UI
  tasklight serve --exec "CMD"       start a fresh instance, run CMD against it, stop, exit with CMD's code
  tasklight env [options]            print the export lines that point clients at an instance
  tasklight healthcheck [options]    exit 0 when an instance answers /healthz, else 1 (for containers)
  tasklight help [COMMAND]           show help (also: tasklight COMMAND --help)
  tasklight --version                print the version

Environment variables TASKLIGHT_* mirror the flags; a flag wins over its variable.
`;

export const SERVE_HELP = `Usage: tasklight serve [options]

Runs the Tasklight engine without a desktop window. Cloud Tasks clients connect over gRPC
(plaintext) or REST; the HTTP port also serves /healthz, the test API (/api/...) and the web UI.

Options (each also settable by the environment variable shown; a flag wins over its variable):
  --host HOST        interface to listen on (default ${DEFAULT_HOST})          TASKLIGHT_HOST
  --grpc-port PORT   gRPC port; 0 picks a free one (default ${DEFAULT_GRPC_PORT})         TASKLIGHT_GRPC_PORT
  --http-port PORT   HTTP port; 0 picks a free one (default ${DEFAULT_HTTP_PORT})         TASKLIGHT_HTTP_PORT
  --data-dir DIR     where queues, tasks and attempts are stored           TASKLIGHT_DATA_DIR
                     (default: the desktop app's data directory)
  --in-memory        keep nothing on disk; state ends with the process     TASKLIGHT_IN_MEMORY=1
  --config FILE      tasklight.yaml / .json, or an App Engine queue.yaml:  TASKLIGHT_CONFIG
                     its queues are created or updated at start
  --log-format FMT   one line per dispatch attempt: text (default) or      TASKLIGHT_LOG_FORMAT
                     json (NDJSON records; stdout then carries only JSON
                     lines, the ready line included)
  --import FILE      load a snapshot (queues and tasks) at start           TASKLIGHT_IMPORT
  --export-on-exit FILE  write a snapshot of queues and tasks on exit      TASKLIGHT_EXPORT_ON_EXIT
  --lift-limits      lift production caps for load tests: rates over       TASKLIGHT_LIFT_LIMITS=1
                     500/s, concurrency over 5,000, schedules past 30 days,
                     tasks over 1 MiB, dispatch deadlines under 15 s
  --allowed-host NAME    accept HTTP requests for this host name besides   TASKLIGHT_ALLOWED_HOSTS
                     loopback ones (e.g. a docker-compose service name);   (comma-separated)
                     repeatable
  --exec "CMD"       start a fresh instance (in memory unless --data-dir is given), run CMD
                     through the shell with TASKLIGHT_GRPC_ENDPOINT, TASKLIGHT_HTTP_URL and
                     CLOUD_TASKS_EMULATOR_HOST set, stop, and exit with CMD's exit code
  -h, --help         show this help

Once listening, one line starts with "Tasklight ready:" and names the actual endpoints, on stdout
(with --log-format json, one JSON object with "message": "Tasklight ready" and the endpoints as
fields); with --exec it goes to stderr as text, so CMD's output stays its own. SIGINT or SIGTERM
shuts down cleanly (exit 0). Exit 1: could not start (a port is taken, a bad config file). Exit 2: bad arguments.
`;

export const ENV_HELP = `Usage: tasklight env [options]

Prints the export lines that point clients at a Tasklight instance listening on these
addresses (nothing is started), for \`eval "$(tasklight env)"\`:
  TASKLIGHT_GRPC_ENDPOINT    host:port of the gRPC API
  TASKLIGHT_HTTP_URL         base URL of REST, the test API and the web UI
  CLOUD_TASKS_EMULATOR_HOST  host:port of REST, as firebase-admin expects it

Options (same flags and variables as serve):
  --host HOST        (default ${DEFAULT_HOST}; 0.0.0.0 prints 127.0.0.1)      TASKLIGHT_HOST
  --grpc-port PORT   (default ${DEFAULT_GRPC_PORT})                                 TASKLIGHT_GRPC_PORT
  --http-port PORT   (default ${DEFAULT_HTTP_PORT})                                 TASKLIGHT_HTTP_PORT
  -h, --help         show this help
`;

export const HEALTHCHECK_HELP = `Usage: tasklight healthcheck [options]

Asks a running Tasklight for GET /healthz. Exit 0 when it answers 200, else 1 with one line on
stderr. Meant for container health checks and CI scripts.

Options:
  --url URL          base URL or the full /healthz URL (default: from --host/--http-port)
  --host HOST        (default ${DEFAULT_HOST})                                 TASKLIGHT_HOST
  --http-port PORT   (default ${DEFAULT_HTTP_PORT})                                     TASKLIGHT_HTTP_PORT
  --wait             keep trying until it answers or --timeout passes
  --timeout DURATION how long to wait: 30s, 500ms, 2m (default 30s with --wait, else 5s)
  -h, --help         show this help
`;

/** `tasklight help COMMAND` and `tasklight COMMAND --help`, by command. */
export const COMMAND_HELP: Record<string, string> = { serve: SERVE_HELP, env: ENV_HELP, healthcheck: HEALTHCHECK_HELP };
