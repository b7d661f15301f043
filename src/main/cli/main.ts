/**
 * `tasklight` — the headless entry point (plain Node, no Electron). Built to out/main/cli.js and
 * started by bin/tasklight.js; during development `node --import tsx src/main/cli/main.ts serve`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import * as path from 'node:path';
import {
  optionLabel,
  parseCli,
  USAGE_EXIT_CODE,
  type ServeConfig,
} from './args';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load-config';
import { declareConfig } from '../config/apply-config';
import type { RunningServer } from '../server';
import { startAttemptLog } from './attempt-log';
import { readyMessage } from './ready-message';
import { DataDirInUseError } from '../data-dir-lock';
import { clientEnv, exportLines } from '../client-env';
import { healthcheck } from './healthcheck';
import { importSnapshot, readSnapshot, writeSnapshot, SnapshotError, type Snapshot } from './snapshot';

const SIGNAL_EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };
const DUPLICATE_SIGNAL_WINDOW_MS = 500;

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  const command = parseCli(argv, env);
  switch (command.kind) {
    case 'help':
    case 'version':
      process.stdout.write(command.text);
      return;
    case 'usage-error':
      process.stderr.write(`${command.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    case 'serve':
      await serve(command.config, env);
      return;
    case 'env': {
      const { host, grpcPort, httpPort } = command.config;
      process.stdout.write(exportLines(clientEnv(host, grpcPort, httpPort)));
      return;
    }
    case 'healthcheck': {
      const { url, wait, timeoutMs } = command.config;
      const result = await healthcheck(url, wait, timeoutMs);
      (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
      process.exitCode = result.ok ? 0 : 1;
      return;
    }
  }
}

/** Everything read from files before anything listens: a bad file stops start-up here (exit 1). */
function readInputs(config: ServeConfig, env: NodeJS.ProcessEnv): { loaded?: LoadedConfig; snapshot?: Snapshot } {
  const out: { loaded?: LoadedConfig; snapshot?: Snapshot } = {};
  if (config.configFile) out.loaded = loadConfig(relativeLabel(config.configFile), env);
  if (config.importFile) out.snapshot = readSnapshot(relativeLabel(config.importFile));
  return out;
}

function relativeLabel(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

async function serve(config: ServeConfig, env: NodeJS.ProcessEnv): Promise<void> {
  let server: RunningServer | undefined;
  let stopping = false;
  /** Set once the server is up: the attempt log (how to stop it) and the --exec command. */
  const started: { stopLog?: () => void; child?: ChildProcess } = {};

  let inputs: ReturnType<typeof readInputs>;
  try {
    inputs = readInputs(config, env);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof SnapshotError) {
      process.stderr.write(`tasklight: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  /**
   * Stops and exits: claims nothing more at once, gives attempts in flight `graceMs` to be answered
   * and recorded (those cut off are recorded as interrupted and sent again after the next start),
   * prints the last attempt records, writes --export-on-exit, then closes ports and store.
   */
  const shutdown = async (running: RunningServer, code = 0, graceMs = 0): Promise<void> => {
    try {
      await running.engine.stopDispatching(graceMs);
      // On a full disk the last writes fail; close() below reports what matters.
      await running.engine.settle().catch(() => undefined);
      started.stopLog?.();
      if (config.exportOnExit) writeSnapshot(running.engine, config.exportOnExit);
      await running.close();
    } catch (err) {
      process.stderr.write(`tasklight: error while shutting down: ${firstLine(err)}\n`);
      process.exit(1);
    }
    process.exit(code);
  };

  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    const child = started.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // --exec: the command decides; its exit stops the server (below).
      child.kill(signal);
      return;
    }
    if (stopping) {
      // Under `npm start` / `npx tasklight`, one Ctrl+C arrives twice: from the terminal and
      // forwarded by npm. Only a later, deliberate second signal skips the clean shutdown.
      if (performance.now() - firstSignalAt < DUPLICATE_SIGNAL_WINDOW_MS) return;
      process.stderr.write(`tasklight: ${signal} again, exiting without a clean shutdown\n`);
      process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
    }
    stopping = true;
    firstSignalAt = performance.now();
    // Still starting: shut down as soon as startServer resolves (below).
    if (server) void shutdown(server, 0, graceOnSignal(server, signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  if (!isLoopback(config.host)) {
    process.stderr.write(
      `tasklight: warning: listening on ${config.host}; Tasklight has no authentication, so anyone who can reach this address can use it\n`,
    );
  }

  // grpc-js logs its own line when a bind fails ("No address added out of total 1 resolved");
  // the failure is reported once below. GRPC_VERBOSITY=DEBUG|INFO|ERROR still works when set.
  if (env.GRPC_NODE_VERBOSITY === undefined && env.GRPC_VERBOSITY === undefined) env.GRPC_VERBOSITY = 'NONE';

  // The snapshot and the config are applied once both ports are bound and before dispatch starts:
  // if either fails, the start fails and no task of the data dir has been claimed or sent.
  let inputError: unknown;
  try {
    const { startServer } = await import('../server');
    server = await startServer({
      host: config.host,
      grpcPort: config.grpcPort,
      httpPort: config.httpPort,
      ...(config.inMemory ? { inMemory: true } : { dataDir: config.dataDir ?? undefined }),
      settings: { ...inputs.loaded?.settings, ...(config.liftLimits ? { liftLimits: true } : {}) },
      allowedHosts: config.allowedHosts,
      beforeDispatch: async (engine) => {
        try {
          if (inputs.snapshot) await importSnapshot(engine, inputs.snapshot, relativeLabel(config.importFile!));
          if (inputs.loaded) await declareConfig(engine, inputs.loaded);
        } catch (err) {
          inputError = err;
          throw err;
        }
      },
    });
  } catch (err) {
    // Another Tasklight has the data dir: exactly one line, naming its pid.
    if (err instanceof DataDirInUseError) process.stderr.write(`tasklight: ${err.message}\n`);
    else if (err === inputError) process.stderr.write(`tasklight: ${firstLine(err)}\n`);
    else process.stderr.write(`${describeStartError(err, config)}\n`);
    process.exit(1);
  }

  if (stopping) {
    await shutdown(server);
    return;
  }
  const log = (line: string) => process.stdout.write(line);
  started.stopLog = startAttemptLog(server.engine, config.logFormat, config.exec ? (line) => process.stderr.write(line) : log);

  if (!config.exec) {
    process.stdout.write(readyMessage(server, config.logFormat));
    return;
  }
  // --exec: the ready line goes to stderr so the command's stdout stays its own. stderr is for
  // people (warnings, the command's own errors), so the line stays text there.
  process.stderr.write(readyMessage(server, 'text'));
  const running = server;
  const child = spawn(config.exec, {
    shell: true,
    stdio: 'inherit',
    env: { ...env, ...clientEnv(running.host, running.grpcPort, running.httpPort) },
  });
  started.child = child;
  child.on('error', (err) => {
    process.stderr.write(`tasklight: could not run --exec command: ${err.message}\n`);
    void shutdown(running, 1);
  });
  child.on('exit', (code, signal) => {
    const exitCode = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1);
    void shutdown(running, exitCode);
  });
}

/** How long attempts in flight get on Ctrl-C or SIGTERM; says so when any are waited for. */
function graceOnSignal(server: RunningServer, signal: NodeJS.Signals): number {
  const graceMs = server.engine.settings.shutdownGraceMs;
  const inFlight = server.engine.queueRows().reduce((sum, queue) => sum + (server.engine.runtime(queue.name)?.inFlight ?? 0), 0);
  if (inFlight > 0 && graceMs > 0) {
    const attempts = inFlight === 1 ? '1 attempt' : `${inFlight} attempts`;
    process.stderr.write(
      `tasklight: stopping: waiting up to ${Math.ceil(graceMs / 1000)} s for ${attempts} in flight (${signal} again exits now)\n`,
    );
  }
  return graceMs;
}

type StartError = NodeJS.ErrnoException & { port?: unknown; address?: unknown };

/** One line saying why the server did not start, naming the flag (or variable) to change. */
function describeStartError(err: unknown, config: ServeConfig): string {
  const e = (err ?? {}) as StartError;
  const message = firstLine(err);
  const port = typeof e.port === 'number' ? e.port : portNamedIn(message, config);
  const which =
    port === undefined ? undefined : port === config.grpcPort ? 'grpcPort' : port === config.httpPort ? 'httpPort' : undefined;
  const portLabel = which ? ` (${optionLabel(which, config.sources[which])})` : '';
  const hostLabel = optionLabel('host', config.sources.host);
  switch (e.code) {
    case 'EADDRINUSE':
      return port === undefined
        ? `tasklight: a port is already in use: ${message}`
        : `tasklight: port ${port} is already in use${portLabel}`;
    case 'EACCES':
      if (typeof e.path === 'string') return `tasklight: permission denied: ${e.path}`;
      return port === undefined
        ? `tasklight: permission denied: ${message}`
        : `tasklight: not allowed to listen on port ${port}${portLabel}; pick a port above 1023`;
    case 'EADDRNOTAVAIL':
      return `tasklight: cannot listen on ${config.host} (${hostLabel}): not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `tasklight: cannot resolve host ${config.host} (${hostLabel})`;
    default:
      return `tasklight: could not start: ${message}`;
  }
}

function portNamedIn(message: string, config: ServeConfig): number | undefined {
  for (const match of message.matchAll(/\d{1,5}/g)) {
    const n = Number(match[0]);
    if (n !== 0 && (n === config.grpcPort || n === config.httpPort)) return n;
  }
  return undefined;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]?.trim() || 'unknown error';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

main(process.argv.slice(2), process.env).catch((err: unknown) => {
  process.stderr.write(`tasklight: ${firstLine(err)}\n`);
  process.exit(1);
});
