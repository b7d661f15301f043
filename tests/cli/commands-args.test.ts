/** Parsing of `tasklight env`, `tasklight healthcheck` and serve's workflow flags (nothing is started). */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { HEALTHCHECK_HELP, ENV_HELP, MAIN_HELP, SERVE_HELP, parseCli, type CliCommand } from '../../src/main/cli/args';

const CWD = path.resolve('/work/project');
const context = { cwd: CWD, defaultDataDir: () => '/home/dev/.config/Tasklight' };

function parsed<K extends CliCommand['kind']>(kind: K, argv: string[], env: NodeJS.ProcessEnv = {}): Extract<CliCommand, { kind: K }> {
  const command = parseCli(argv, env, context);
  assert.equal(command.kind, kind, `expected ${kind}, got ${JSON.stringify(command)}`);
  return command as Extract<CliCommand, { kind: K }>;
}

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  const { message } = parsed('usage-error', argv, env);
  assert.ok(!message.includes('\n'), `one line: ${message}`);
  return message;
}

describe('serve workflow flags', () => {
  it('reads --config, --log-format, --import, --export-on-exit, --allowed-host and their variables', () => {
    const { config } = parsed('serve', ['serve', '--config', 'tasklight.yaml', '--log-format', 'json', '--import', 'in.json', '--export-on-exit', 'out/snap.json', '--allowed-host', 'tasklight', '--allowed-host', 'Queue.Local']);
    assert.equal(config.configFile, path.join(CWD, 'tasklight.yaml'));
    assert.equal(config.logFormat, 'json');
    assert.equal(config.importFile, path.join(CWD, 'in.json'));
    assert.equal(config.exportOnExit, path.join(CWD, 'out/snap.json'));
    assert.deepEqual(config.allowedHosts, ['tasklight', 'queue.local']);
    const fromEnv = parsed('serve', ['serve'], {
      TASKLIGHT_CONFIG: '/etc/tl.yaml', TASKLIGHT_LOG_FORMAT: 'json', TASKLIGHT_ALLOWED_HOSTS: 'a,b', TASKLIGHT_EXPORT_ON_EXIT: 'x.json',
    }).config;
    assert.equal(fromEnv.configFile, '/etc/tl.yaml');
    assert.equal(fromEnv.logFormat, 'json');
    assert.deepEqual(fromEnv.allowedHosts, ['a', 'b']);
    assert.equal(fromEnv.exportOnExit, path.join(CWD, 'x.json'));
    assert.equal(parsed('serve', ['serve', '--log-format', 'text'], { TASKLIGHT_LOG_FORMAT: 'json' }).config.logFormat, 'text', 'the flag wins');
    assert.equal(parsed('serve', ['serve']).config.logFormat, 'text');
  });

  it('--exec runs in memory unless a data dir is given', () => {
    const plain = parsed('serve', ['serve', '--exec', 'npm test']).config;
    assert.equal(plain.exec, 'npm test');
    assert.equal(plain.inMemory, true);
    assert.equal(plain.dataDir, null);
    const withDir = parsed('serve', ['serve', '--exec', 'npm test', '--data-dir', 'd']).config;
    assert.equal(withDir.inMemory, false);
    assert.equal(withDir.dataDir, path.join(CWD, 'd'));
    assert.equal(parsed('serve', ['serve', '--exec', 'x'], { TASKLIGHT_DATA_DIR: '/data' }).config.dataDir, '/data');
  });

  it('rejects bad values with one line', () => {
    assert.match(usageError(['serve', '--log-format', 'xml']), /--log-format must be text or json, got 'xml'/);
    assert.match(usageError(['serve'], { TASKLIGHT_LOG_FORMAT: 'yaml' }), /TASKLIGHT_LOG_FORMAT must be text or json/);
    assert.match(usageError(['serve', '--exec', '']), /--exec needs a command/);
    assert.match(usageError(['serve', '--exec']), /--exec needs a value/);
    assert.match(usageError(['serve', '--config', '']), /--config needs a file path/);
    assert.match(usageError(['serve', '--allowed-host', 'http://tasklight:8124']), /--allowed-host takes a host name without port or scheme/);
    assert.match(usageError(['serve', '--exec', 'x', '--in-memory', '--data-dir', 'd']), /cannot be used together/);
  });
});

describe('tasklight env', () => {
  it('defaults, flags and variables; wildcard hosts print loopback', () => {
    assert.deepEqual(parsed('env', ['env']).config, { host: '127.0.0.1', grpcPort: 8123, httpPort: 8124 });
    assert.deepEqual(parsed('env', ['env', '--http-port', '9000'], { TASKLIGHT_GRPC_PORT: '9001', TASKLIGHT_HOST: '0.0.0.0' }).config, {
      host: '0.0.0.0', grpcPort: 9001, httpPort: 9000,
    });
  });
  it('rejects port 0, unknown options and stray arguments', () => {
    assert.match(usageError(['env', '--http-port', '0']), /--http-port is 0 .*needs the actual port/);
    assert.match(usageError(['env', '--data-dir', 'x']), /unknown option --data-dir for env \(see tasklight env --help\)/);
    assert.match(usageError(['env', 'now']), /unexpected argument 'now' for env/);
  });
});

describe('tasklight healthcheck', () => {
  it('builds the /healthz URL from --url, --host/--http-port or the defaults', () => {
    assert.deepEqual(parsed('healthcheck', ['healthcheck']).config, { url: 'http://127.0.0.1:8124/healthz', wait: false, timeoutMs: 5000 });
    assert.deepEqual(parsed('healthcheck', ['healthcheck', '--wait']).config.timeoutMs, 30_000);
    assert.deepEqual(parsed('healthcheck', ['healthcheck', '--wait', '--timeout', '500ms', '--url', 'http://tasklight:8124']).config, {
      url: 'http://tasklight:8124/healthz', wait: true, timeoutMs: 500,
    });
    assert.equal(parsed('healthcheck', ['healthcheck', '--timeout', '2m', '--host', '0.0.0.0'], { TASKLIGHT_HTTP_PORT: '9999' }).config.url, 'http://127.0.0.1:9999/healthz');
    assert.equal(parsed('healthcheck', ['healthcheck', '--timeout', '10']).config.timeoutMs, 10_000);
  });
  it('rejects bad values', () => {
    assert.match(usageError(['healthcheck', '--timeout', 'soon']), /--timeout must be a duration like 30s/);
    assert.match(usageError(['healthcheck', '--url', 'tasklight:8124']), /--url must be an http:\/\/ URL/);
    assert.match(usageError(['healthcheck', '--wait=yes']), /--wait does not take a value/);
  });
});

describe('help for every command', () => {
  it('each command has --help, and help COMMAND prints the same', () => {
    for (const [name, text, words] of [
      ['serve', SERVE_HELP, ['--config', '--exec', '--log-format', '--import', '--export-on-exit', '--allowed-host', 'TASKLIGHT_CONFIG', 'TASKLIGHT_LOG_FORMAT', 'TASKLIGHT_ALLOWED_HOSTS']],
      ['env', ENV_HELP, ['TASKLIGHT_GRPC_ENDPOINT', 'TASKLIGHT_HTTP_URL', 'CLOUD_TASKS_EMULATOR_HOST', '--host', '--grpc-port', '--http-port']],
      ['healthcheck', HEALTHCHECK_HELP, ['--url', '--wait', '--timeout', '/healthz']],
    ] as const) {
      assert.deepEqual(parseCli([name, '--help'], {}, context), { kind: 'help', text });
      assert.deepEqual(parseCli(['help', name], {}, context), { kind: 'help', text });
      for (const w of words) assert.ok(text.includes(w), `${name} help mentions ${w}`);
      assert.ok(MAIN_HELP.includes(`tasklight ${name}`), `main help lists ${name}`);
    }
  });
});
