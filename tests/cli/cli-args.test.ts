import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  DEFAULT_GRPC_PORT,
  DEFAULT_HOST,
  DEFAULT_HTTP_PORT,
  parseCli,
  VERSION,
  type CliCommand,
  type ServeConfig,
} from '../../src/main/cli/args';
import { defaultDataDir } from '../../src/main/data-dir';

const CWD = path.resolve('/work/project');
const DEFAULT_DIR = path.resolve('/home/dev/.config/Tasklight');
const context = { cwd: CWD, defaultDataDir: () => DEFAULT_DIR };

function serve(args: string[], env: NodeJS.ProcessEnv = {}): ServeConfig {
  const command = parseCli(['serve', ...args], env, context);
  assert.equal(command.kind, 'serve', `expected serve, got ${JSON.stringify(command)}`);
  return (command as Extract<CliCommand, { kind: 'serve' }>).config;
}

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  const command = parseCli(argv, env, context);
  assert.equal(command.kind, 'usage-error', `expected a usage error, got ${JSON.stringify(command)}`);
  const { message } = command as Extract<CliCommand, { kind: 'usage-error' }>;
  assert.ok(!message.includes('\n'), `error must be one line: ${JSON.stringify(message)}`);
  return message;
}

describe('tasklight serve arguments', () => {
  it('uses loopback, ports 8123/8124 and the platform data dir when nothing is given', () => {
    const config = serve([]);
    assert.equal(config.host, DEFAULT_HOST);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.grpcPort, DEFAULT_GRPC_PORT);
    assert.equal(config.grpcPort, 8123);
    assert.equal(config.httpPort, DEFAULT_HTTP_PORT);
    assert.equal(config.httpPort, 8124);
    assert.equal(config.dataDir, DEFAULT_DIR);
    assert.equal(config.inMemory, false);
    assert.deepEqual(config.sources, { host: 'default', grpcPort: 'default', httpPort: 'default', storage: 'default' });
  });

  it('reads every flag, in both --flag value and --flag=value forms', () => {
    const config = serve(['--host', '::1', '--grpc-port=9001', '--http-port', '9002', '--data-dir=/var/lib/tl']);
    assert.equal(config.host, '::1');
    assert.equal(config.grpcPort, 9001);
    assert.equal(config.httpPort, 9002);
    assert.equal(config.dataDir, path.resolve('/var/lib/tl'));
    assert.deepEqual(config.sources, { host: 'flag', grpcPort: 'flag', httpPort: 'flag', storage: 'flag' });
  });

  it('keeps production caps unless --lift-limits or TASKLIGHT_LIFT_LIMITS asks to lift them', () => {
    assert.equal(serve([]).liftLimits, false);
    assert.equal(serve(['--lift-limits']).liftLimits, true);
    assert.equal(serve([], { TASKLIGHT_LIFT_LIMITS: '1' }).liftLimits, true);
    assert.equal(serve([], { TASKLIGHT_LIFT_LIMITS: 'false' }).liftLimits, false);
    assert.match(usageError(['serve'], { TASKLIGHT_LIFT_LIMITS: 'maybe' }), /TASKLIGHT_LIFT_LIMITS/);
  });

  it('accepts port 0 for both ports, meaning "pick a free port"', () => {
    const config = serve(['--grpc-port', '0', '--http-port', '0']);
    assert.equal(config.grpcPort, 0);
    assert.equal(config.httpPort, 0);
  });

  it('accepts 65535, the highest port', () => {
    assert.equal(serve(['--grpc-port', '65535']).grpcPort, 65535);
  });

  it('resolves a relative --data-dir against the working directory', () => {
    assert.equal(serve(['--data-dir', 'state']).dataDir, path.join(CWD, 'state'));
  });

  it('--in-memory stores nothing on disk', () => {
    const config = serve(['--in-memory']);
    assert.equal(config.inMemory, true);
    assert.equal(config.dataDir, null);
  });

  it('strips brackets from an IPv6 --host', () => {
    assert.equal(serve(['--host', '[::1]']).host, '::1');
  });

  it('reads every setting from TASKLIGHT_* environment variables', () => {
    const config = serve([], {
      TASKLIGHT_HOST: 'localhost',
      TASKLIGHT_GRPC_PORT: '7001',
      TASKLIGHT_HTTP_PORT: '7002',
      TASKLIGHT_DATA_DIR: '/srv/tasklight',
    });
    assert.equal(config.host, 'localhost');
    assert.equal(config.grpcPort, 7001);
    assert.equal(config.httpPort, 7002);
    assert.equal(config.dataDir, path.resolve('/srv/tasklight'));
    assert.deepEqual(config.sources, { host: 'env', grpcPort: 'env', httpPort: 'env', storage: 'env' });
  });

  it('TASKLIGHT_IN_MEMORY accepts 1/true/yes/on and 0/false/no/off', () => {
    for (const value of ['1', 'true', 'TRUE', 'yes', 'on']) {
      assert.equal(serve([], { TASKLIGHT_IN_MEMORY: value }).inMemory, true, value);
    }
    for (const value of ['0', 'false', 'no', 'off']) {
      const config = serve([], { TASKLIGHT_IN_MEMORY: value });
      assert.equal(config.inMemory, false, value);
      assert.equal(config.dataDir, DEFAULT_DIR, value);
    }
  });

  it('treats an empty environment variable as unset', () => {
    const config = serve([], { TASKLIGHT_GRPC_PORT: '', TASKLIGHT_HOST: '', TASKLIGHT_IN_MEMORY: '' });
    assert.equal(config.grpcPort, 8123);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.inMemory, false);
  });

  it('lets a flag win over its environment variable', () => {
    const config = serve(['--host', '127.0.0.2', '--grpc-port', '0', '--http-port', '9002', '--data-dir', '/flag'], {
      TASKLIGHT_HOST: 'localhost',
      TASKLIGHT_GRPC_PORT: '7001',
      TASKLIGHT_HTTP_PORT: 'not-a-port',
      TASKLIGHT_DATA_DIR: '/env',
    });
    assert.equal(config.host, '127.0.0.2');
    assert.equal(config.grpcPort, 0);
    assert.equal(config.httpPort, 9002);
    assert.equal(config.dataDir, path.resolve('/flag'));
  });

  it('lets --data-dir win over TASKLIGHT_IN_MEMORY and --in-memory win over TASKLIGHT_DATA_DIR', () => {
    assert.equal(serve(['--data-dir', '/flag'], { TASKLIGHT_IN_MEMORY: '1' }).dataDir, path.resolve('/flag'));
    const config = serve(['--in-memory'], { TASKLIGHT_DATA_DIR: '/env' });
    assert.equal(config.inMemory, true);
    assert.equal(config.dataDir, null);
  });

  it('rejects a non-numeric port, naming the flag', () => {
    assert.match(usageError(['serve', '--grpc-port', 'abc']), /--grpc-port .*'abc'/);
    assert.match(usageError(['serve', '--http-port', '80a']), /--http-port/);
    assert.match(usageError(['serve', '--http-port', '1.5']), /--http-port/);
  });

  it('rejects a port above 65535, naming the flag', () => {
    assert.match(usageError(['serve', '--grpc-port', '65536']), /--grpc-port .*0 to 65535/);
  });

  it('rejects a negative port', () => {
    assert.match(usageError(['serve', '--http-port=-1']), /--http-port/);
  });

  it('names the environment variable when the bad value came from it', () => {
    assert.match(usageError(['serve'], { TASKLIGHT_GRPC_PORT: 'abc' }), /TASKLIGHT_GRPC_PORT/);
    assert.match(usageError(['serve'], { TASKLIGHT_IN_MEMORY: 'maybe' }), /TASKLIGHT_IN_MEMORY/);
  });

  it('rejects the same non-zero port for gRPC and HTTP', () => {
    assert.match(usageError(['serve', '--grpc-port', '9000', '--http-port', '9000']), /--grpc-port and --http-port/);
  });

  it('rejects --data-dir together with --in-memory', () => {
    assert.match(usageError(['serve', '--in-memory', '--data-dir', '/x']), /--data-dir and --in-memory/);
  });

  it('rejects a URL as --host', () => {
    assert.match(usageError(['serve', '--host', 'http://localhost']), /--host/);
  });

  it('rejects an unknown flag, naming it', () => {
    assert.match(usageError(['serve', '--grpcport', '1']), /unknown option --grpcport/);
  });

  it('rejects a flag with its value missing', () => {
    assert.match(usageError(['serve', '--grpc-port']), /--grpc-port needs a value/);
    assert.match(usageError(['serve', '--grpc-port', '--in-memory']), /--grpc-port needs a value/);
  });

  it('rejects a value given to --in-memory', () => {
    assert.match(usageError(['serve', '--in-memory=yes']), /--in-memory does not take a value/);
  });

  it('rejects stray positional arguments', () => {
    assert.match(usageError(['serve', 'now']), /unexpected argument 'now'/);
  });
});

describe('tasklight commands', () => {
  it('--help and help print the command list', () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const command = parseCli(argv, {}, context);
      assert.equal(command.kind, 'help');
      assert.match((command as { text: string }).text, /tasklight serve/);
    }
  });

  it('serve --help lists every flag with its environment variable', () => {
    for (const argv of [['serve', '--help'], ['serve', '-h'], ['help', 'serve'], ['serve', '--grpc-port', 'abc', '--help']]) {
      const command = parseCli(argv, {}, context);
      assert.equal(command.kind, 'help', argv.join(' '));
      const { text } = command as { text: string };
      for (const word of ['--host', '--grpc-port', '--http-port', '--data-dir', '--in-memory', 'TASKLIGHT_HOST', 'TASKLIGHT_GRPC_PORT', 'TASKLIGHT_HTTP_PORT', 'TASKLIGHT_DATA_DIR', 'TASKLIGHT_IN_MEMORY']) {
        assert.ok(text.includes(word), `help mentions ${word}`);
      }
    }
  });

  it('--version prints the package version', () => {
    const command = parseCli(['--version'], {}, context);
    assert.deepEqual(command, { kind: 'version', text: `${VERSION}\n` });
    assert.match(VERSION, /^\d+\.\d+\.\d+/);
  });

  it('a missing or unknown command is a usage error', () => {
    assert.match(usageError([]), /missing command/);
    assert.match(usageError(['start']), /unknown command 'start'/);
    assert.match(usageError(['--grpc-port', '1']), /unknown option --grpc-port/);
  });
});

describe('default data dir', () => {
  const home = '/home/dev';

  it('is $XDG_CONFIG_HOME/Tasklight on Linux, like Electron userData', () => {
    assert.equal(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg' }, homedir: home }), '/xdg/Tasklight');
  });

  it('falls back to ~/.config/Tasklight on Linux', () => {
    assert.equal(defaultDataDir({ platform: 'linux', env: {}, homedir: home }), '/home/dev/.config/Tasklight');
    assert.equal(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '' }, homedir: home }), '/home/dev/.config/Tasklight');
  });

  it('is ~/Library/Application Support/Tasklight on macOS', () => {
    assert.equal(
      defaultDataDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/xdg' }, homedir: '/Users/dev' }),
      '/Users/dev/Library/Application Support/Tasklight',
    );
  });

  it('is %APPDATA%\\Tasklight on Windows', () => {
    assert.equal(
      defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\dev\\AppData\\Roaming' }, homedir: 'C:\\Users\\dev' }),
      'C:\\Users\\dev\\AppData\\Roaming\\Tasklight',
    );
    assert.equal(
      defaultDataDir({ platform: 'win32', env: {}, homedir: 'C:\\Users\\dev' }),
      'C:\\Users\\dev\\AppData\\Roaming\\Tasklight',
    );
  });
});
