/**
 * Reset keeps the config's promise: after a reset, exactly the queues the config declared are
 * there again, with their configured rate limits, retries and state. Whichever way the reset
 * arrives: startTasklight().reset(), connectTasklight().reset() on an instance started with a
 * config, or POST /api/reset under `tasklight serve --config ... --exec`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { connectTasklight, startTasklight, type Tasklight } from '../../src/main/testing';

const PARENT = 'projects/rp/locations/us-central1';
const EMAILS = `${PARENT}/queues/emails`;
const LATER = `${PARENT}/queues/later`;
const CONFIG = `project: rp
queues:
  - id: emails
    rateLimits: { maxDispatchesPerSecond: 7, maxConcurrentDispatches: 3 }
    retryConfig: { maxAttempts: 4, minBackoff: 2s, maxBackoff: 8s }
  - id: later
    state: PAUSED
`;

const ROOT = path.resolve(__dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-reset-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'tasklight.yaml'), CONFIG);

/** What a GetQueue shows of the config, plus the queue names a ListQueues finds. */
async function configView(tl: Tasklight) {
  const client = tl.client();
  const [emails] = await client.getQueue({ name: EMAILS });
  const [later] = await client.getQueue({ name: LATER });
  const [queues] = await client.listQueues({ parent: PARENT });
  return {
    names: queues.map((q) => q.name).sort(),
    rate: [emails.rateLimits?.maxDispatchesPerSecond, emails.rateLimits?.maxConcurrentDispatches],
    retry: [emails.retryConfig?.maxAttempts, Number(emails.retryConfig?.minBackoff?.seconds), Number(emails.retryConfig?.maxBackoff?.seconds)],
    states: [emails.state, later.state],
  };
}

const EXPECTED = { names: [EMAILS, LATER], rate: [7, 3], retry: [4, 2, 8], states: ['RUNNING', 'PAUSED'] };

describe('reset restores the config (tasklight/testing)', () => {
  let tl: Tasklight;
  before(async () => {
    tl = await startTasklight({ config: path.join(dir, 'tasklight.yaml') });
  });
  after(() => tl.stop());

  it('connectTasklight().reset() on an instance started with a config', async () => {
    const other = connectTasklight({ grpcEndpoint: tl.grpcEndpoint, httpUrl: tl.httpUrl });
    try {
      const client = other.client();
      await client.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/extra` } });
      await client.updateQueue({ queue: { name: EMAILS, rateLimits: { maxDispatchesPerSecond: 1 } }, updateMask: { paths: ['rate_limits.max_dispatches_per_second'] } });
      await client.pauseQueue({ name: EMAILS });
      await other.reset();
      assert.deepEqual(await configView(other), EXPECTED);
    } finally {
      await other.stop();
    }
  });

  it('startTasklight().reset() and a raw POST /api/reset do the same', async () => {
    await tl.client().createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/extra` } });
    await tl.reset();
    assert.deepEqual(await configView(tl), EXPECTED);
    await tl.client().deleteQueue({ name: LATER });
    const res = await fetch(`${tl.httpUrl}/api/reset`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(await configView(tl), EXPECTED);
  });
});

describe('reset restores the config (tasklight serve --config --exec)', () => {
  it('a test run by --exec resets, and the config queues are there with their settings', async () => {
    const testing = path.join(ROOT, 'src', 'main', 'testing.ts');
    fs.writeFileSync(
      path.join(dir, 'app-test.mjs'),
      `import { connectTasklight } from ${JSON.stringify(pathToFileURL(testing).href)};
       const tl = connectTasklight();
       const client = tl.client();
       await client.createQueue({ parent: '${PARENT}', queue: { name: '${PARENT}/queues/extra' } });
       await tl.reset();
       const [emails] = await client.getQueue({ name: '${EMAILS}' });
       const [later] = await client.getQueue({ name: '${LATER}' });
       const [queues] = await client.listQueues({ parent: '${PARENT}' });
       console.log(JSON.stringify({
         names: queues.map((q) => q.name).sort(),
         rate: [emails.rateLimits.maxDispatchesPerSecond, emails.rateLimits.maxConcurrentDispatches],
         retry: [emails.retryConfig.maxAttempts, Number(emails.retryConfig.minBackoff.seconds), Number(emails.retryConfig.maxBackoff.seconds)],
         states: [emails.state, later.state],
       }));
       await tl.stop();`,
    );
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const cli = path.join(ROOT, 'src', 'main', 'cli', 'main.ts');
    const exec = `"${process.execPath}" --import ${tsx} app-test.mjs`;
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TASKLIGHT_') && k !== 'CLOUD_TASKS_EMULATOR_HOST') env[k] = v;
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['--import', tsx, cli, 'serve', '--grpc-port', '0', '--http-port', '0', '--config', 'tasklight.yaml', '--exec', exec],
        { cwd: dir, env: { ...env, XDG_CONFIG_HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
      // Generous: only a hang takes this long.
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`serve --exec did not exit; stderr: ${err}`));
      }, 120_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stdout: out, stderr: err });
      });
    });
    assert.equal(code, 0, stderr);
    const line = stdout.split('\n').find((l) => l.startsWith('{'));
    assert.ok(line, `no result line; stdout: ${stdout}; stderr: ${stderr}`);
    assert.deepEqual(JSON.parse(line), EXPECTED);
  });
});
