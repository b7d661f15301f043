/**
 * Every queue RPC through the official `@google-cloud/tasks` client, over gRPC and over REST
 * (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues). Each block runs once per transport against its own server.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PARENT,
  PROJECT,
  QUEUE_STATES,
  collect,
  enumName,
  forEachTransport,
  toMicros,
  toSeconds,
} from '../helpers/tasklight';

const QUEUE_MISSING =
  'Queue does not exist. If you just created the queue, wait at least a minute for the queue to initialize.';
const ENTITY_MISSING = 'Requested entity was not found.';
const QUEUE_NAME_FORMAT =
  'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".';

const stateOf = (q: { state?: unknown }) => enumName(q.state, QUEUE_STATES);

forEachTransport('queues', (ctx) => {
  test('fills in Cloud Tasks\' defaults on create', async () => {
    const name = ctx.queueName('defaults');
    const [created] = await ctx.client.createQueue({ parent: PARENT, queue: { name } });
    for (const q of [created, (await ctx.client.getQueue({ name }))[0]]) {
      assert.equal(q.name, name);
      assert.equal(q.rateLimits?.maxDispatchesPerSecond, 500);
      assert.equal(q.rateLimits?.maxBurstSize, 100);
      assert.equal(q.rateLimits?.maxConcurrentDispatches, 1000);
      assert.equal(q.retryConfig?.maxAttempts, 100);
      assert.equal(toSeconds(q.retryConfig?.minBackoff), 0.1);
      assert.equal(toSeconds(q.retryConfig?.maxBackoff), 3600);
      assert.equal(q.retryConfig?.maxDoublings, 16);
      assert.ok(!q.retryConfig?.maxRetryDuration || toSeconds(q.retryConfig.maxRetryDuration) === 0, 'max_retry_duration unset');
      assert.equal(stateOf(q), 'RUNNING');
      assert.ok(!q.purgeTime, 'purge_time is unset on a new queue');
    }
  });

  test('keeps explicitly set queue settings on create', async () => {
    const name = ctx.queueName('custom');
    const [q] = await ctx.client.createQueue({
      parent: PARENT,
      queue: {
        name,
        rateLimits: { maxDispatchesPerSecond: 2.5, maxConcurrentDispatches: 7 },
        retryConfig: { maxAttempts: 5, minBackoff: { seconds: 1, nanos: 500_000_000 }, maxBackoff: { seconds: 60 }, maxDoublings: 3, maxRetryDuration: { seconds: 120 } },
        stackdriverLoggingConfig: { samplingRatio: 0.5 },
      },
    });
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 2.5);
    assert.equal(q.rateLimits?.maxConcurrentDispatches, 7);
    assert.equal(q.rateLimits?.maxBurstSize, 10);
    assert.equal(q.retryConfig?.maxAttempts, 5);
    assert.equal(toSeconds(q.retryConfig?.minBackoff), 1.5);
    assert.equal(toSeconds(q.retryConfig?.maxBackoff), 60);
    assert.equal(q.retryConfig?.maxDoublings, 3);
    assert.equal(toSeconds(q.retryConfig?.maxRetryDuration), 120);
    assert.equal(q.stackdriverLoggingConfig?.samplingRatio, 0.5);
  });

  test('computes max_burst_size from the rate (1→10, 5→10, 100→20, 500→100)', async () => {
    for (const [rate, burst] of [[1, 10], [5, 10], [100, 20], [500, 100]] as const) {
      const name = ctx.queueName(`burst${rate}`);
      const [q] = await ctx.client.createQueue({ parent: PARENT, queue: { name, rateLimits: { maxDispatchesPerSecond: rate } } });
      assert.equal(q.rateLimits?.maxBurstSize, burst, `rate ${rate}`);
    }
  });

  test('ignores a max_burst_size sent in a v2 create (output-only)', async () => {
    const name = ctx.queueName('burst-out');
    const [q] = await ctx.client.createQueue({
      parent: PARENT,
      queue: { name, rateLimits: { maxDispatchesPerSecond: 1, maxBurstSize: 77 } },
    });
    assert.equal(q.rateLimits?.maxBurstSize, 10);
  });

  test('rejects a duplicate queue with ALREADY_EXISTS "Queue already exists"', async () => {
    const name = await ctx.newQueue('dup');
    await ctx.rejects(ctx.client.createQueue({ parent: PARENT, queue: { name } }), 'ALREADY_EXISTS', 'Queue already exists');
  });

  test('rejects a malformed queue name with the live INVALID_ARGUMENT message', async () => {
    const err = await ctx.rejects(
      ctx.client.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/bad_name` } }),
      'INVALID_ARGUMENT',
      QUEUE_NAME_FORMAT,
    );
    // The live service attaches a google.rpc.Help link to the Queue.name docs.
    assert.ok(err.helpUrls.some((u) => u.includes('Queue.FIELDS.name')), JSON.stringify(err.helpUrls));
    await ctx.rejects(
      ctx.client.createQueue({ parent: PARENT, queue: { name: `${PARENT}/queues/${'a'.repeat(101)}` } }),
      'INVALID_ARGUMENT',
      QUEUE_NAME_FORMAT,
    );
    await ctx.rejects(ctx.client.getQueue({ name: `${PARENT}/queues/bad_name` }), 'INVALID_ARGUMENT', QUEUE_NAME_FORMAT);
  });

  test('rejects out-of-range queue settings with INVALID_ARGUMENT', async () => {
    const bad: Array<[string, Record<string, unknown>]> = [
      ['rate > 500', { rateLimits: { maxDispatchesPerSecond: 501 } }],
      ['concurrency > 5000', { rateLimits: { maxConcurrentDispatches: 5001 } }],
      ['max_attempts < -1', { retryConfig: { maxAttempts: -2 } }],
      ['min_backoff > max_backoff', { retryConfig: { minBackoff: { seconds: 20 }, maxBackoff: { seconds: 10 } } }],
      ['sampling ratio > 1', { stackdriverLoggingConfig: { samplingRatio: 1.5 } }],
    ];
    for (const [what, fields] of bad) {
      const name = ctx.queueName('bad');
      await ctx.rejects(ctx.client.createQueue({ parent: PARENT, queue: { name, ...fields } }), 'INVALID_ARGUMENT');
      // Nothing was stored.
      await ctx.rejects(ctx.client.getQueue({ name }), 'NOT_FOUND', QUEUE_MISSING).catch((e) => {
        throw new Error(`${what}: ${e.message}`);
      });
    }
  });

  test('accepts max_attempts -1 (unlimited) and the boundary values 500/s and 5000', async () => {
    const name = ctx.queueName('bounds');
    const [q] = await ctx.client.createQueue({
      parent: PARENT,
      queue: { name, rateLimits: { maxDispatchesPerSecond: 500, maxConcurrentDispatches: 5000 }, retryConfig: { maxAttempts: -1 }, stackdriverLoggingConfig: { samplingRatio: 1 } },
    });
    assert.equal(q.retryConfig?.maxAttempts, -1);
    assert.equal(q.rateLimits?.maxConcurrentDispatches, 5000);
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 500);
  });

  test('GetQueue of a missing queue is NOT_FOUND with the live text', async () => {
    await ctx.rejects(ctx.client.getQueue({ name: ctx.queueName('missing') }), 'NOT_FOUND', QUEUE_MISSING);
  });

  test('lists queues in lexicographic order of name', async () => {
    const parent = `projects/${PROJECT}-list/locations/europe-west1`;
    const ids = ['delta', 'alpha', 'charlie', 'echo', 'bravo'];
    for (const id of ids) await ctx.client.createQueue({ parent, queue: { name: `${parent}/queues/${id}` } });
    const [queues] = await ctx.client.listQueues({ parent });
    assert.deepEqual(queues.map((q) => q.name), [...ids].sort().map((id) => `${parent}/queues/${id}`));
    // Only this location's queues.
    const [elsewhere] = await ctx.client.listQueues({ parent: `projects/${PROJECT}-list/locations/europe-west2` });
    assert.deepEqual(elsewhere, []);
  });

  test('paginates ListQueues with pageSize and pageToken; empty token ends the list', async () => {
    const parent = `projects/${PROJECT}-page/locations/us-east1`;
    const ids = Array.from({ length: 5 }, (_, i) => `q${i}`);
    for (const id of ids) await ctx.client.createQueue({ parent, queue: { name: `${parent}/queues/${id}` } });
    const seen: string[] = [];
    const sizes: number[] = [];
    let pageToken = '';
    for (let i = 0; i < 10; i++) {
      const [queues, , raw] = await ctx.client.listQueues({ parent, pageSize: 2, pageToken }, { autoPaginate: false });
      assert.ok(queues.length <= 2);
      sizes.push(queues.length);
      seen.push(...queues.map((q) => q.name!));
      pageToken = raw?.nextPageToken ?? '';
      if (!pageToken) break;
    }
    assert.equal(pageToken, '', 'the list ended');
    assert.deepEqual(seen, ids.map((id) => `${parent}/queues/${id}`));
    assert.deepEqual(sizes, [2, 2, 1]);
    // The async iterator walks the same pages.
    const all = await collect(ctx.client.listQueuesAsync({ parent, pageSize: 2 }));
    assert.deepEqual(all.map((q) => q.name), seen);
  });

  test('filters ListQueues with "state: PAUSED"', async () => {
    const parent = `projects/${PROJECT}-filter/locations/us-west1`;
    for (const id of ['a', 'b', 'c', 'd']) await ctx.client.createQueue({ parent, queue: { name: `${parent}/queues/${id}` } });
    await ctx.client.pauseQueue({ name: `${parent}/queues/b` });
    await ctx.client.pauseQueue({ name: `${parent}/queues/d` });
    const [paused] = await ctx.client.listQueues({ parent, filter: 'state: PAUSED' });
    assert.deepEqual(paused.map((q) => q.name), [`${parent}/queues/b`, `${parent}/queues/d`]);
    assert.ok(paused.every((q) => stateOf(q) === 'PAUSED'));
    const [running] = await ctx.client.listQueues({ parent, filter: 'state: RUNNING' });
    assert.deepEqual(running.map((q) => q.name), [`${parent}/queues/a`, `${parent}/queues/c`]);
  });

  test('UpdateQueue with a snake_case update_mask changes only the masked fields', async () => {
    const name = await ctx.newQueue('mask-snake', { rateLimits: { maxDispatchesPerSecond: 100 } });
    const [q] = await ctx.client.updateQueue({
      queue: {
        name,
        rateLimits: { maxDispatchesPerSecond: 5, maxConcurrentDispatches: 7 },
        retryConfig: { maxAttempts: 3 },
      },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 5);
    assert.equal(q.rateLimits?.maxBurstSize, 10, 'burst recomputed from the new rate');
    assert.equal(q.rateLimits?.maxConcurrentDispatches, 1000, 'unmasked field unchanged');
    assert.equal(q.retryConfig?.maxAttempts, 100, 'unmasked field unchanged');
    const [got] = await ctx.client.getQueue({ name });
    assert.equal(got.rateLimits?.maxDispatchesPerSecond, 5);
    assert.equal(got.rateLimits?.maxConcurrentDispatches, 1000);
  });

  test('UpdateQueue accepts lowerCamelCase mask paths and whole-message paths', async () => {
    const name = await ctx.newQueue('mask-camel');
    const [q] = await ctx.client.updateQueue({
      queue: {
        name,
        rateLimits: { maxDispatchesPerSecond: 1 },
        retryConfig: { maxAttempts: 7, maxDoublings: 2 },
      },
      updateMask: { paths: ['retryConfig.maxAttempts'] },
    });
    assert.equal(q.retryConfig?.maxAttempts, 7);
    assert.equal(q.retryConfig?.maxDoublings, 16, 'sibling field not in the mask is unchanged');
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 500, 'rate not in the mask is unchanged');
    const [q2] = await ctx.client.updateQueue({
      queue: { name, rateLimits: { maxDispatchesPerSecond: 100, maxConcurrentDispatches: 10 } },
      updateMask: { paths: ['rateLimits'] },
    });
    assert.equal(q2.rateLimits?.maxDispatchesPerSecond, 100);
    assert.equal(q2.rateLimits?.maxConcurrentDispatches, 10);
    assert.equal(q2.rateLimits?.maxBurstSize, 20);
    assert.equal(q2.retryConfig?.maxAttempts, 7, 'earlier update kept');
  });

  test('UpdateQueue without a mask replaces every settable field (unset ones revert to defaults)', async () => {
    const name = await ctx.newQueue('nomask', { rateLimits: { maxDispatchesPerSecond: 5 }, retryConfig: { maxDoublings: 2 } });
    const [q] = await ctx.client.updateQueue({ queue: { name, retryConfig: { maxAttempts: 4 } } });
    assert.equal(q.retryConfig?.maxAttempts, 4);
    assert.equal(q.retryConfig?.maxDoublings, 16);
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 500);
    assert.equal(q.rateLimits?.maxBurstSize, 100);
  });

  test('UpdateQueue with an unknown mask path is INVALID_ARGUMENT and changes nothing', async () => {
    const name = await ctx.newQueue('mask-bad');
    await ctx.rejects(
      ctx.client.updateQueue({
        queue: { name, rateLimits: { maxDispatchesPerSecond: 3 } },
        updateMask: { paths: ['rate_limits.no_such_field'] },
      }),
      'INVALID_ARGUMENT',
    );
    const [q] = await ctx.client.getQueue({ name });
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 500);
  });

  test('UpdateQueue validates the new values (rate > 500 is INVALID_ARGUMENT)', async () => {
    const name = await ctx.newQueue('upd-bad');
    await ctx.rejects(
      ctx.client.updateQueue({
        queue: { name, rateLimits: { maxDispatchesPerSecond: 1000 } },
        updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
      }),
      'INVALID_ARGUMENT',
    );
    const [q] = await ctx.client.getQueue({ name });
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 500);
  });

  test('UpdateQueue ignores state: it can never be changed there', async () => {
    const name = await ctx.newQueue('upd-state');
    await ctx.client.pauseQueue({ name });
    const [q] = await ctx.client.updateQueue({
      queue: { name, state: 'RUNNING', rateLimits: { maxDispatchesPerSecond: 9 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second'] },
    });
    assert.equal(stateOf(q), 'PAUSED');
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 9);
  });

  test('UpdateQueue is an upsert: a missing queue is created', async () => {
    const name = ctx.queueName('upsert');
    const [q] = await ctx.client.updateQueue({ queue: { name, rateLimits: { maxDispatchesPerSecond: 100 } } });
    assert.equal(q.name, name);
    assert.equal(stateOf(q), 'RUNNING');
    assert.equal(q.rateLimits?.maxDispatchesPerSecond, 100);
    assert.equal(q.rateLimits?.maxBurstSize, 20);
    assert.equal(q.rateLimits?.maxConcurrentDispatches, 1000);
    assert.equal(q.retryConfig?.maxAttempts, 100);
    const [got] = await ctx.client.getQueue({ name });
    assert.equal(got.rateLimits?.maxDispatchesPerSecond, 100);
  });

  test('DeleteQueue removes the queue and its tasks; GetQueue is then NOT_FOUND', async () => {
    const name = await ctx.newQueue('del');
    await ctx.client.createTask({ parent: name, task: { httpRequest: { url: 'http://localhost:9/x' } } });
    const [empty] = await ctx.client.deleteQueue({ name });
    assert.deepEqual({ ...empty }, {});
    await ctx.rejects(ctx.client.getQueue({ name }), 'NOT_FOUND', QUEUE_MISSING);
    await ctx.rejects(ctx.client.listTasks({ parent: name }), 'NOT_FOUND');
    await ctx.rejects(
      ctx.client.createTask({ parent: name, task: { httpRequest: { url: 'http://localhost:9/x' } } }),
      'NOT_FOUND',
      QUEUE_MISSING,
    );
  });

  test('re-creating a recently deleted queue is FAILED_PRECONDITION (CreateQueue and UpdateQueue)', async () => {
    const name = await ctx.newQueue('recreate');
    await ctx.client.deleteQueue({ name });
    const tooRecent = 'The queue cannot be created because a queue with this name existed too recently.';
    await ctx.rejects(ctx.client.createQueue({ parent: PARENT, queue: { name } }), 'FAILED_PRECONDITION', tooRecent);
    // (A queue with only a name would go over REST as the body `""`: the 6.3.0 client drops the path field.)
    await ctx.rejects(
      ctx.client.updateQueue({ queue: { name, rateLimits: { maxDispatchesPerSecond: 1 } } }),
      'FAILED_PRECONDITION',
      tooRecent,
    );
  });

  test('DeleteQueue of a missing queue is NOT_FOUND "Requested entity was not found."', async () => {
    await ctx.rejects(ctx.client.deleteQueue({ name: ctx.queueName('nothing') }), 'NOT_FOUND', ENTITY_MISSING);
  });

  test('PurgeQueue sets purge_time, deletes existing tasks and keeps later ones', async () => {
    const name = await ctx.newQueue('purge');
    const httpRequest = { url: 'http://localhost:9/p' };
    await ctx.client.createTask({ parent: name, task: { httpRequest } });
    await ctx.client.createTask({ parent: name, task: { name: `${name}/tasks/before`, httpRequest } });
    const beforeUs = Date.now() * 1000;
    const [q] = await ctx.client.purgeQueue({ name });
    const afterUs = Date.now() * 1000;
    assert.equal(q.name, name);
    const purgeUs = toMicros(q.purgeTime);
    assert.ok(purgeUs >= beforeUs - 50_000 && purgeUs <= afterUs + 50_000, `purge_time ${purgeUs} within the call`);
    const [got] = await ctx.client.getQueue({ name });
    assert.equal(toMicros(got.purgeTime), purgeUs);
    assert.deepEqual((await ctx.client.listTasks({ parent: name }))[0], []);

    const [later] = await ctx.client.createTask({ parent: name, task: { name: `${name}/tasks/after`, httpRequest } });
    const [tasks] = await ctx.client.listTasks({ parent: name });
    assert.deepEqual(tasks.map((t) => t.name), [later.name]);
    // A purged named task leaves a tombstone like any deleted task.
    await ctx.rejects(
      ctx.client.createTask({ parent: name, task: { name: `${name}/tasks/before`, httpRequest } }),
      'ALREADY_EXISTS',
      'Requested entity already exists',
    );
  });

  test('PurgeQueue of a missing queue is NOT_FOUND', async () => {
    await ctx.rejects(ctx.client.purgeQueue({ name: ctx.queueName('nopurge') }), 'NOT_FOUND', QUEUE_MISSING);
  });

  test('PauseQueue sets PAUSED and ResumeQueue sets RUNNING; both are idempotent', async () => {
    const name = await ctx.newQueue('pause');
    const [paused] = await ctx.client.pauseQueue({ name });
    assert.equal(stateOf(paused), 'PAUSED');
    assert.equal(stateOf((await ctx.client.getQueue({ name }))[0]), 'PAUSED');
    assert.equal(stateOf((await ctx.client.pauseQueue({ name }))[0]), 'PAUSED');
    const [resumed] = await ctx.client.resumeQueue({ name });
    assert.equal(stateOf(resumed), 'RUNNING');
    assert.equal(stateOf((await ctx.client.getQueue({ name }))[0]), 'RUNNING');
    assert.equal(stateOf((await ctx.client.resumeQueue({ name }))[0]), 'RUNNING');
    // Settings survive the round trip.
    assert.equal(resumed.rateLimits?.maxDispatchesPerSecond, 500);
  });

  test('Pause/Resume of a missing queue is NOT_FOUND', async () => {
    await ctx.rejects(ctx.client.pauseQueue({ name: ctx.queueName('nopause') }), 'NOT_FOUND', QUEUE_MISSING);
    await ctx.rejects(ctx.client.resumeQueue({ name: ctx.queueName('noresume') }), 'NOT_FOUND', QUEUE_MISSING);
  });

  test('GetIamPolicy of a queue without a policy is empty', async () => {
    const name = await ctx.newQueue('iam-empty');
    const [policy] = await ctx.client.getIamPolicy({ resource: name });
    assert.deepEqual(policy.bindings ?? [], []);
    assert.ok(!policy.version, 'version 0');
  });

  test('SetIamPolicy stores bindings; GetIamPolicy returns them with the same etag', async () => {
    const name = await ctx.newQueue('iam-set');
    const bindings = [
      { role: 'roles/cloudtasks.enqueuer', members: ['user:dev@example.com', 'serviceAccount:sa@p.iam.gserviceaccount.com'] },
      { role: 'roles/cloudtasks.viewer', members: ['group:team@example.com'] },
    ];
    const [set] = await ctx.client.setIamPolicy({ resource: name, policy: { bindings } });
    assert.ok(set.etag && Buffer.from(set.etag as Uint8Array).length > 0, 'etag returned');
    const [got] = await ctx.client.getIamPolicy({ resource: name });
    assert.deepEqual(
      got.bindings?.map((b) => ({ role: b.role, members: b.members })),
      bindings,
    );
    assert.deepEqual(Buffer.from(got.etag as Uint8Array), Buffer.from(set.etag as Uint8Array));
  });

  test('SetIamPolicy with a stale etag is ABORTED; the current etag succeeds', async () => {
    const name = await ctx.newQueue('iam-etag');
    const [first] = await ctx.client.setIamPolicy({ resource: name, policy: { bindings: [{ role: 'roles/viewer', members: ['user:a@example.com'] }] } });
    const [second] = await ctx.client.setIamPolicy({
      resource: name,
      policy: { etag: first.etag, bindings: [{ role: 'roles/viewer', members: ['user:b@example.com'] }] },
    });
    assert.notDeepEqual(Buffer.from(second.etag as Uint8Array), Buffer.from(first.etag as Uint8Array), 'etag changes on every write');
    await ctx.rejects(
      ctx.client.setIamPolicy({ resource: name, policy: { etag: first.etag, bindings: [] } }),
      'ABORTED',
    );
    const [got] = await ctx.client.getIamPolicy({ resource: name });
    assert.deepEqual(got.bindings?.[0]?.members, ['user:b@example.com'], 'the stale write did not land');
  });

  test('IAM calls on a missing queue are NOT_FOUND', async () => {
    const name = ctx.queueName('iam-missing');
    await ctx.rejects(ctx.client.getIamPolicy({ resource: name }), 'NOT_FOUND');
    await ctx.rejects(ctx.client.setIamPolicy({ resource: name, policy: { bindings: [] } }), 'NOT_FOUND');
  });

  test('TestIamPermissions echoes the permissions for an existing queue and [] for a missing one', async () => {
    const name = await ctx.newQueue('iam-test');
    const permissions = ['cloudtasks.tasks.create', 'cloudtasks.queues.getIamPolicy', 'cloudtasks.tasks.fullView'];
    const [res] = await ctx.client.testIamPermissions({ resource: name, permissions });
    assert.deepEqual(res.permissions, permissions);
    const [missing] = await ctx.client.testIamPermissions({ resource: ctx.queueName('iam-none'), permissions });
    assert.deepEqual(missing.permissions ?? [], []);
  });

  test('ListQueues rejects a page token used with a different filter or a garbage token', async () => {
    const parent = `projects/${PROJECT}-tok/locations/us-west2`;
    for (const id of ['a', 'b', 'c']) await ctx.client.createQueue({ parent, queue: { name: `${parent}/queues/${id}` } });
    const [, , raw] = await ctx.client.listQueues({ parent, pageSize: 1 }, { autoPaginate: false });
    assert.ok(raw?.nextPageToken, 'a next page token');
    await ctx.rejects(
      ctx.client.listQueues({ parent, pageSize: 1, pageToken: raw!.nextPageToken!, filter: 'state: PAUSED' }, { autoPaginate: false }),
      'INVALID_ARGUMENT',
    );
    await ctx.rejects(ctx.client.listQueues({ parent, pageToken: 'garbage!' }, { autoPaginate: false }), 'INVALID_ARGUMENT');
  });

  test('accepts a domain-scoped project ID with ":" and "." (custom verbs included)', async () => {
    const parent = 'projects/example.com:my-proj/locations/us-central1';
    const name = `${parent}/queues/scoped`;
    const [q] = await ctx.client.createQueue({ parent, queue: { name } });
    assert.equal(q.name, name);
    assert.equal(stateOf((await ctx.client.pauseQueue({ name }))[0]), 'PAUSED');
    const [got] = await ctx.client.getQueue({ name });
    assert.equal(got.name, name);
    assert.equal(stateOf(got), 'PAUSED');
    const [t] = await ctx.client.createTask({ parent: name, task: { name: `${name}/tasks/t1`, httpRequest: { url: 'http://localhost:9/' } } });
    assert.equal(t.name, `${name}/tasks/t1`);
    assert.deepEqual((await ctx.client.listQueues({ parent }))[0].map((x) => x.name), [name]);
  });

  test('v2beta3 lets max_burst_size be set and returns stats only when read_mask names them', async () => {
    const name = ctx.queueName('beta-burst');
    const [q] = await ctx.beta.createQueue({ parent: PARENT, queue: { name, rateLimits: { maxDispatchesPerSecond: 10, maxBurstSize: 50 } } });
    assert.equal(q.rateLimits?.maxBurstSize, 50);
    assert.ok(!q.stats, 'no stats without a read mask');
    await ctx.client.createTask({ parent: name, task: { httpRequest: { url: 'http://localhost:9/' } } });
    await ctx.client.createTask({ parent: name, task: { httpRequest: { url: 'http://localhost:9/' } } });
    const [withStats] = await ctx.beta.getQueue({ name, readMask: { paths: ['stats'] } });
    assert.equal(Number(withStats.stats?.tasksCount), 2);
    const [v2] = await ctx.client.getQueue({ name });
    assert.equal(v2.rateLimits?.maxBurstSize, 50);
  });

  test('GetLocation and ListLocations answer through the client\'s location methods', async () => {
    // Typed as Promise<ILocation>, but 6.3.0 resolves to the usual [response, request, raw] tuple.
    const res: unknown = await ctx.client.getLocation({ name: `projects/${PROJECT}/locations/us-central1` });
    const loc = (Array.isArray(res) ? res[0] : res) as { name?: string; locationId?: string };
    assert.equal(loc.name, `projects/${PROJECT}/locations/us-central1`);
    assert.equal(loc.locationId, 'us-central1');
    const locations = await collect(ctx.client.listLocationsAsync({ name: `projects/${PROJECT}` }));
    const ids = locations.map((l) => l.locationId);
    assert.ok(ids.includes('us-central1'), JSON.stringify(ids));
    for (const l of locations) assert.equal(l.name, `projects/${PROJECT}/locations/${l.locationId}`);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate locations');
  });
});
