/**
 * Config files: tasklight.yaml / .json and App Engine queue.yaml, mapped to queues and settings,
 * applied idempotently to a real engine; bad files give one error naming file, line and field.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { applyConfig } from '../../src/main/config/apply-config';
import { ConfigError, loadConfig, parseConfigText } from '../../src/main/config/load-config';
import { startServer } from '../../src/main/server';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-config-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function configError(text: string, label = 'tasklight.yaml', env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    parseConfigText(text, label, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    assert.ok(!err.message.includes('\n'), `one line: ${err.message}`);
    return err;
  }
  assert.fail('expected a config error');
}

const Q = 'projects/my-proj/locations/us-central1/queues';

describe('tasklight.yaml', () => {
  it('maps queues with the API field names, friendly durations and defaults for project/location', () => {
    const config = parseConfigText(
      `project: my-proj
queues:
  - id: emails
    rateLimits: { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 2 }
    retryConfig: { maxAttempts: 5, minBackoff: "10s", max_backoff: 5m, maxRetryDuration: 1h, maxDoublings: 3 }
    state: PAUSED
  - name: projects/other-proj/locations/europe-west1/queues/reports
    rate_limits: { max_burst_size: 7 }
    httpTarget:
      uriOverride: { scheme: HTTP, host: localhost, port: "8080", pathOverride: { path: /r } }
      httpMethod: PUT
      headerOverrides: [{ header: { key: X-Env, value: dev } }]
  - id: legacy
    location: asia-east1
    appEngineRoutingOverride: { service: worker, version: v2 }
    defaultTargetUrl: http://localhost:9000/legacy
`,
      'tasklight.yaml',
    );
    assert.equal(config.queues.length, 3);
    const [emails, reports, legacy] = config.queues;
    assert.deepEqual(emails!.queue, {
      name: `${Q}/emails`,
      rateLimits: { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 2 },
      retryConfig: { maxAttempts: 5, minBackoff: { seconds: 10 }, maxBackoff: { seconds: 300 }, maxRetryDuration: { seconds: 3600 }, maxDoublings: 3 },
      liftLimits: false,
    });
    assert.equal(emails!.state, 'PAUSED');
    assert.equal(emails!.burstSettable, false);
    assert.equal(reports!.queue.name, 'projects/other-proj/locations/europe-west1/queues/reports');
    assert.equal(reports!.burstSettable, true);
    assert.deepEqual(reports!.queue.httpTarget, {
      uriOverride: { scheme: 'HTTP', host: 'localhost', port: 8080, pathOverride: { path: '/r' } },
      httpMethod: 'PUT',
      headerOverrides: [{ header: { key: 'X-Env', value: 'dev' } }],
    });
    assert.equal(reports!.state, 'RUNNING');
    assert.equal(legacy!.queue.name, 'projects/my-proj/locations/asia-east1/queues/legacy');
    assert.deepEqual(legacy!.queue.appEngineRoutingOverride, { service: 'worker', version: 'v2' });
    assert.deepEqual(config.settings.defaultTargetUrls, { 'projects/my-proj/locations/asia-east1/queues/legacy': 'http://localhost:9000/legacy' });
  });

  it('maps global settings and App Engine routing', () => {
    const config = parseConfigText(
      `settings:
  historyRetention: 7d
  dedupWindow: 0s
  queueNameTombstone: 0s
  liftLimits: true
  autoCreateQueues: false
  functionsEmulatorUrl: http://127.0.0.1:5001/{project}/{location}/{queue}
appEngine:
  baseUrl: http://localhost:8080/
  routes:
    worker: http://localhost:8081
    v2.worker: http://localhost:8082
`,
      'tasklight.yaml',
    );
    assert.deepEqual(config.settings, {
      historyRetentionMs: 7 * 86_400_000,
      taskTombstoneTtlMs: 0,
      queueTombstoneTtlMs: 0,
      liftLimits: true,
      autoCreateQueues: false,
      functionsEmulatorUrl: 'http://127.0.0.1:5001/{project}/{location}/{queue}',
      appEngineBaseUrl: 'http://localhost:8080',
      appEngineRoutes: { worker: 'http://localhost:8081', 'v2.worker': 'http://localhost:8082' },
    });
  });

  it('reads the same config as JSON', () => {
    const file = write('tasklight.json', JSON.stringify({ project: 'my-proj', queues: [{ id: 'a', retryConfig: { minBackoff: '1.5s' } }] }));
    const config = loadConfig(file, {});
    assert.deepEqual(config.queues[0]!.queue.retryConfig, { minBackoff: { seconds: 1, nanos: 500_000_000 } });
  });

  it('lifted limits let a queue go past 500/s; otherwise the engine rule names the line', () => {
    const text = (lift: boolean) => `project: my-proj\nsettings: { liftLimits: ${lift} }\nqueues:\n  - id: fast\n    rateLimits:\n      maxDispatchesPerSecond: 2000\n`;
    assert.equal(parseConfigText(text(true), 't.yaml').queues[0]!.queue.rateLimits.maxDispatchesPerSecond, 2000);
    const err = configError(text(false), 't.yaml');
    assert.equal(err.line, 6);
    assert.match(err.message, /^t\.yaml:6: queues\[0\]\.rateLimits\.maxDispatchesPerSecond: .*at most 500/);
  });

  it('liftLimits on one queue lifts the caps for that queue alone', async () => {
    const config = parseConfigText(
      `project: my-proj\nqueues:\n  - id: load\n    liftLimits: true\n    rateLimits: { maxDispatchesPerSecond: 2000 }\n  - id: normal\n`,
      't.yaml',
    );
    const server = await startServer({ grpcPort: 0, httpPort: 0, inMemory: true, settings: { dispatch: false } });
    try {
      await applyConfig(server.engine, config);
      assert.equal(server.engine.getQueue(`${Q}/load`).rateLimits.maxDispatchesPerSecond, 2000);
      // The lift survives an API update that does not know about it, and stays per queue.
      await server.engine.updateQueue({ name: `${Q}/load`, rateLimits: { maxDispatchesPerSecond: 3000 } }, ['rateLimits.maxDispatchesPerSecond']);
      await assert.rejects(
        server.engine.updateQueue({ name: `${Q}/normal`, rateLimits: { maxDispatchesPerSecond: 3000 } }, ['rateLimits.maxDispatchesPerSecond']),
        /at most 500/,
      );
      assert.equal(server.engine.getQueue(`${Q}/load`).liftLimits, undefined, 'not part of the API view');
    } finally {
      await server.close();
    }
  });
});

describe('App Engine queue.yaml', () => {
  const env = { GOOGLE_CLOUD_PROJECT: 'ae-proj' };
  it('maps rate, bucket_size, max_concurrent_requests, retry_parameters and target (Appendix A)', () => {
    const config = parseConfigText(
      `total_storage_limit: 120M
queue:
- name: mail-queue
  rate: 2000/d
  bucket_size: 10
  max_concurrent_requests: 3
  retry_parameters:
    task_retry_limit: 7
    task_age_limit: 2d
    min_backoff_seconds: 0.5
    max_backoff_seconds: 200
    max_doublings: 2
- name: worker-queue
  rate: 30/m
  target: v3.worker
- name: stopped
  rate: 0/s
`,
      'queue.yaml',
      env,
    );
    const [mail, worker, stopped] = config.queues;
    assert.deepEqual(mail!.queue, {
      name: 'projects/ae-proj/locations/us-central1/queues/mail-queue',
      rateLimits: { maxDispatchesPerSecond: 2000 / 86400, maxBurstSize: 10, maxConcurrentDispatches: 3 },
      retryConfig: {
        maxAttempts: 7,
        maxRetryDuration: { seconds: 172800 },
        minBackoff: { seconds: 0, nanos: 500_000_000 },
        maxBackoff: { seconds: 200 },
        maxDoublings: 2,
      },
    });
    assert.deepEqual(worker!.queue.rateLimits, { maxDispatchesPerSecond: 0.5, maxBurstSize: 5 });
    assert.deepEqual(worker!.queue.appEngineRoutingOverride, { version: 'v3', service: 'worker' });
    assert.equal(worker!.queue.retryConfig.maxAttempts, -1, 'queue.yaml retries without limit by default');
    assert.equal(stopped!.state, 'PAUSED', 'rate 0 stops the queue');
  });

  it('rejects pull queues, bad rates and unknown keys with the line', () => {
    assert.match(configError('queue:\n- name: p\n  mode: pull\n', 'queue.yaml', env).message, /^queue\.yaml:3: queue\[0\]\.mode: pull queues are not supported/);
    assert.match(configError('queue:\n- name: p\n  rate: fast\n', 'queue.yaml', env).message, /^queue\.yaml:3: queue\[0\]\.rate: must be N\/s/);
    assert.match(configError('queue:\n- name: p\n  rate: 1/s\n  retry_parameters:\n    task_retry: 3\n', 'queue.yaml', env).message, /^queue\.yaml:5: queue\[0\]\.retry_parameters\.task_retry: unknown key/);
    assert.match(configError('queue:\n- name: p\n  rate: 1/s\n', 'queue.yaml', {}).message, /GOOGLE_CLOUD_PROJECT/);
    assert.match(configError('queue:\n- name: p\n  rate: 1/s\n  bucket_size: 900\n', 'queue.yaml', env).message, /^queue\.yaml:4: queue\[0\]\.bucket_size: must be between 0 and 500, got 900$/);
  });

  it('can be included from a tasklight.yaml with its project', () => {
    write('queue.yaml', 'queue:\n- name: from-ae\n  rate: 5/s\n');
    const file = write('with-ae.yaml', 'project: p-one\nlocation: europe-west1\nqueueYaml: queue.yaml\n');
    const config = loadConfig(file, {});
    assert.equal(config.queues[0]!.queue.name, 'projects/p-one/locations/europe-west1/queues/from-ae');
  });
});

describe('bad tasklight.yaml', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['syntax', 'queues:\n  - id: [a\n', /^tasklight\.yaml:\d+: not valid YAML/],
    ['unknown top-level key', 'project: p-one\nqeues: []\n', /^tasklight\.yaml:2: qeues: unknown key/],
    ['unknown queue field', 'project: p-one\nqueues:\n  - id: a\n    rateLimit: { maxDispatchesPerSecond: 1 }\n', /^tasklight\.yaml:4: queues\[0\]\.rateLimit: unknown field/],
    ['unknown nested field', 'project: p-one\nqueues:\n  - id: a\n    rateLimits:\n      maxRate: 1\n', /^tasklight\.yaml:5: queues\[0\]\.rateLimits\.maxRate: unknown field/],
    ['bad value type', 'project: p-one\nqueues:\n  - id: a\n    rateLimits:\n      maxDispatchesPerSecond: lots\n', /^tasklight\.yaml:5: queues\[0\]\.rateLimits\.maxDispatchesPerSecond: invalid value "lots"/],
    ['bad duration', 'project: p-one\nqueues:\n  - id: a\n    retryConfig:\n      minBackoff: soon\n', /^tasklight\.yaml:5: queues\[0\]\.retryConfig\.minBackoff: must be a duration/],
    ['min above max backoff', 'project: p-one\nqueues:\n  - id: a\n    retryConfig: { minBackoff: 10m, maxBackoff: 1m }\n', /^tasklight\.yaml:4: queues\[0\]\.retryConfig\.minBackoff: must be less than or equal to/],
    ['bad state', 'project: p-one\nqueues:\n  - id: a\n    state: STOPPED\n', /^tasklight\.yaml:4: queues\[0\]\.state: must be RUNNING or PAUSED/],
    ['no project for an id', 'queues:\n  - id: a\n', /^tasklight\.yaml:2: queues\[0\]: queue 'a' needs a project/],
    ['bad queue id', 'project: p-one\nqueues:\n  - id: a_b\n', /^tasklight\.yaml:3: queues\[0\]\.id: 'a_b' is not a queue ID/],
    ['duplicate queue', 'project: p-one\nqueues:\n  - id: a\n  - id: a\n', /^tasklight\.yaml:4: queues\[1\]: queue .* is declared twice \(also at line 3\)/],
    ['bad setting', 'settings:\n  historyRetention: forever\n', /^tasklight\.yaml:2: settings\.historyRetention: must be a duration/],
    ['unknown setting', 'settings:\n  retention: 1d\n', /^tasklight\.yaml:2: settings\.retention: unknown setting/],
    ['bad url', 'appEngine:\n  baseUrl: localhost:8080\n', /^tasklight\.yaml:2: appEngine\.baseUrl: must be an http:\/\/ or https:\/\/ URL/],
    ['not a mapping', '- a\n- b\n', /^tasklight\.yaml:1: top level: must be a mapping/],
  ];
  for (const [title, text, expected] of cases) {
    it(title, () => assert.match(configError(text).message, expected));
  }

  it('JSON syntax errors name the line too', () => {
    const err = configError('{\n  "project": "p-one",\n  "queues": [\n}\n', 'tasklight.json');
    assert.match(err.message, /^tasklight\.json:\d+: not valid JSON/);
    assert.ok(err.line! >= 3);
  });

  it('a missing file is one clear error', () => {
    assert.throws(() => loadConfig(path.join(dir, 'nope.yaml'), {}), /nope\.yaml: cannot read the config file: no such file/);
  });
});

describe('applying a config', () => {
  it('creates queues, pauses to match, and is idempotent; a queue paused by hand is resumed', async () => {
    const config = parseConfigText(
      `project: my-proj
queues:
  - id: a
    rateLimits: { maxDispatchesPerSecond: 3 }
    retryConfig: { maxAttempts: 4 }
  - id: b
    state: PAUSED
`,
      'tasklight.yaml',
    );
    const server = await startServer({ inMemory: true, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
    try {
      const engine = server.engine;
      assert.deepEqual(await applyConfig(engine, config), { created: 2, updated: 0 });
      const a = engine.getQueue(`${Q}/a`);
      assert.equal(a.rateLimits.maxDispatchesPerSecond, 3);
      assert.equal(a.rateLimits.maxBurstSize, 10);
      assert.equal(a.retryConfig.maxAttempts, 4);
      assert.equal(a.state, 'RUNNING');
      assert.equal(engine.getQueue(`${Q}/b`).state, 'PAUSED');

      await engine.setQueueState(`${Q}/a`, 'PAUSED');
      await engine.updateQueue({ name: `${Q}/a`, rateLimits: { maxDispatchesPerSecond: 50 } }, ['rateLimits.maxDispatchesPerSecond']);
      await engine.createQueue(`projects/my-proj/locations/us-central1`, { name: `${Q}/undeclared` });
      assert.deepEqual(await applyConfig(engine, config), { created: 0, updated: 2 });
      const again = engine.getQueue(`${Q}/a`);
      assert.equal(again.state, 'RUNNING');
      assert.equal(again.rateLimits.maxDispatchesPerSecond, 3, 'the file wins over edits made since');
      assert.deepEqual(engine.getQueue(`${Q}/b`).state, 'PAUSED');
      assert.ok(engine.getQueue(`${Q}/undeclared`), 'queues the file does not name are left alone');
      const before = JSON.stringify([engine.getQueue(`${Q}/a`), engine.getQueue(`${Q}/b`)]);
      await applyConfig(engine, config);
      assert.equal(JSON.stringify([engine.getQueue(`${Q}/a`), engine.getQueue(`${Q}/b`)]), before);
    } finally {
      await server.close();
    }
  });
});
