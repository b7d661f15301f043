/**
 * Docker cannot run on the development machines (and hadolint is not installed), so this checks
 * what can be checked: README's compose example parses, its health check and command are commands
 * the CLI accepts, the ports match, and the Dockerfile builds and runs what README says.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseCli } from '../../src/main/cli/args';

const ROOT = path.resolve(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

function composeExample(): any {
  const section = readme.slice(readme.indexOf('## Docker'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'README has a yaml block under ## Docker');
  return parse(block[1]!);
}

/** `bin/tasklight.js ARGS` as the CLI parses it. */
function cli(args: string[]) {
  return parseCli(args, {}, { cwd: '/app', defaultDataDir: () => '/data' });
}

describe('docker-compose example in README', () => {
  const compose = composeExample();
  const svc = compose.services.tasklight;

  it('runs serve on 0.0.0.0 with the service name allowed, and the CLI accepts its command', () => {
    const command = cli(svc.command);
    assert.equal(command.kind, 'serve', JSON.stringify(command));
    if (command.kind !== 'serve') return;
    assert.equal(command.config.host, '0.0.0.0');
    assert.deepEqual(command.config.allowedHosts, ['tasklight']);
    assert.equal(command.config.configFile, '/config/tasklight.yaml');
    assert.ok(svc.volumes.some((v: string) => v.endsWith(':/config/tasklight.yaml:ro')));
  });

  it('publishes the gRPC and HTTP ports', () => {
    assert.deepEqual(svc.ports, ['8123:8123', '8124:8124']);
  });

  it('health-checks with tasklight healthcheck, which the CLI accepts', () => {
    const test: string[] = svc.healthcheck.test;
    assert.equal(test[0], 'CMD');
    assert.deepEqual(test.slice(1, 3), ['node', 'bin/tasklight.js']);
    const command = cli(test.slice(3));
    assert.equal(command.kind, 'healthcheck');
    if (command.kind === 'healthcheck') assert.equal(command.config.url, 'http://127.0.0.1:8124/healthz');
  });

  it('reaches handlers on the host through host.docker.internal, and the app waits for a healthy Tasklight', () => {
    assert.deepEqual(svc.extra_hosts, ['host.docker.internal:host-gateway']);
    const app = compose.services.app;
    assert.equal(app.environment.CLOUD_TASKS_EMULATOR_HOST, 'tasklight:8124');
    assert.equal(app.environment.TASKLIGHT_HTTP_URL, 'http://tasklight:8124');
    assert.equal(app.depends_on.tasklight.condition, 'service_healthy');
  });
});

describe('Dockerfile', () => {
  const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const instr = (name: string) => lines.filter((l) => l.startsWith(`${name} `));

  it('builds on node:20-slim with npm ci and npm run build', () => {
    assert.ok(instr('FROM').every((l) => /^FROM node:20-slim\b/.test(l)), instr('FROM').join('\n'));
    assert.ok(/npm ci\b/.test(dockerfile));
    assert.ok(/npm run build\b/.test(dockerfile));
    assert.ok(instr('COPY').some((l) => l.includes('package-lock.json')), 'the lock file is copied before npm ci');
  });

  it('runs tasklight serve --host 0.0.0.0 --allowed-host tasklight, with a working health check', () => {
    const entry = JSON.parse(instr('ENTRYPOINT')[0]!.slice('ENTRYPOINT '.length));
    const cmd = JSON.parse(instr('CMD')[0]!.slice('CMD '.length));
    assert.deepEqual(entry, ['node', 'bin/tasklight.js']);
    const serve = cli(cmd);
    assert.equal(serve.kind, 'serve');
    if (serve.kind === 'serve') {
      assert.equal(serve.config.host, '0.0.0.0');
      assert.deepEqual(serve.config.allowedHosts, ['tasklight']);
    }
    const health = /^HEALTHCHECK .* CMD (\[.*\])$/.exec(instr('HEALTHCHECK')[0] ?? '');
    assert.ok(health, 'HEALTHCHECK with an exec-form CMD');
    const probe = JSON.parse(health[1]!);
    assert.equal(cli(probe.slice(2)).kind, 'healthcheck');
    assert.ok(instr('EXPOSE').some((l) => /\b8123\b/.test(l) && /\b8124\b/.test(l)));
  });

  it('every path the final stage copies exists in a built tree', () => {
    for (const l of instr('COPY').filter((c) => c.includes('--from=build'))) {
      const src = l.split(/\s+/)[2]!.replace('/app/', '');
      assert.ok(['package.json', 'node_modules', 'out', 'bin'].includes(src), src);
      if (src !== 'out' && src !== 'node_modules') assert.ok(fs.existsSync(path.join(ROOT, src)), src);
    }
  });
});
