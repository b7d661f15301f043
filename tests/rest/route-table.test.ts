import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouteTable, parsePathTemplate, formatPathTemplate } from '../../src/main/api/rest/route-table';
import { servedServices, methodPath } from '../../src/main/api/rpc';
import { ApiError } from '../../src/main/core/errors';

const table = buildRouteTable();

const Q = 'projects/p/locations/us-central1/queues/q';
const T = `${Q}/tasks/t1`;
const L = 'projects/p/locations/us-central1';

function resolve(httpMethod: string, path: string) {
  const m = table.match(httpMethod, path);
  assert.equal(m.kind, 'found', `${httpMethod} ${path} should resolve, got ${m.kind}`);
  if (m.kind !== 'found') throw new Error('unreachable');
  return {
    method: m.route.methodPath,
    fields: Object.fromEntries(m.pathParams.map((p) => [p.fieldPath.join('.'), p.value])),
    body: m.route.body,
  };
}

/** Reference §3.1, written out independently of the derivation. */
const SHARED_ROUTES: Array<[string, string, string, string, Record<string, string>]> = [
  ['ListQueues', 'GET', `${L}/queues`, '', { parent: L }],
  ['GetQueue', 'GET', Q, '', { name: Q }],
  ['CreateQueue', 'POST', `${L}/queues`, 'queue', { parent: L }],
  ['UpdateQueue', 'PATCH', Q, 'queue', { 'queue.name': Q }],
  ['DeleteQueue', 'DELETE', Q, '', { name: Q }],
  ['PurgeQueue', 'POST', `${Q}:purge`, '*', { name: Q }],
  ['PauseQueue', 'POST', `${Q}:pause`, '*', { name: Q }],
  ['ResumeQueue', 'POST', `${Q}:resume`, '*', { name: Q }],
  ['GetIamPolicy', 'POST', `${Q}:getIamPolicy`, '*', { resource: Q }],
  ['SetIamPolicy', 'POST', `${Q}:setIamPolicy`, '*', { resource: Q }],
  ['TestIamPermissions', 'POST', `${Q}:testIamPermissions`, '*', { resource: Q }],
  ['ListTasks', 'GET', `${Q}/tasks`, '', { parent: Q }],
  ['GetTask', 'GET', T, '', { name: T }],
  ['CreateTask', 'POST', `${Q}/tasks`, '*', { parent: Q }],
  ['DeleteTask', 'DELETE', T, '', { name: T }],
  ['RunTask', 'POST', `${T}:run`, '*', { name: T }],
];

const V2BETA3_ONLY: typeof SHARED_ROUTES = [
  ['BatchCreateTasks', 'POST', `${Q}/tasks:batchCreate`, '*', { parent: Q }],
  ['BatchDeleteTasks', 'POST', `${Q}/tasks:batchDelete`, '*', { parent: Q }],
  ['GetCmekConfig', 'GET', `${L}/cmekConfig`, '', { name: `${L}/cmekConfig` }],
  ['UpdateCmekConfig', 'PATCH', `${L}/cmekConfig`, 'cmek_config', { 'cmek_config.name': `${L}/cmekConfig` }],
];

describe('route table: every CloudTasks method resolves from its google.api.http rule', () => {
  for (const version of ['v2', 'v2beta3']) {
    const rows = version === 'v2' ? SHARED_ROUTES : [...SHARED_ROUTES, ...V2BETA3_ONLY];
    for (const [rpc, httpMethod, path, body, fields] of rows) {
      test(`${version} ${rpc}: ${httpMethod} /${version}/${path}`, () => {
        const got = resolve(httpMethod, `/${version}/${path}`);
        assert.equal(got.method, `/google.cloud.tasks.${version}.CloudTasks/${rpc}`);
        assert.deepEqual(got.fields, fields);
        assert.equal(got.body, body);
      });
    }
  }

  test('no served method is left without a route', () => {
    const routed = new Set(table.routes.map((r) => r.methodPath));
    for (const service of servedServices()) {
      for (const method of service.methodsArray) assert.ok(routed.has(methodPath(service, method)), method.name);
    }
  });
});

describe('route table: Locations mixin is served under /v1, /v2, /v2beta3 and unversioned', () => {
  for (const prefix of ['/v1', '/v2', '/v2beta3', '']) {
    test(`ListLocations at ${prefix || '(none)'}/projects/p/locations`, () => {
      const got = resolve('GET', `${prefix}/projects/p/locations`);
      assert.equal(got.method, '/google.cloud.location.Locations/ListLocations');
      assert.deepEqual(got.fields, { name: 'projects/p' });
    });
    test(`GetLocation at ${prefix || '(none)'}/${L}`, () => {
      const got = resolve('GET', `${prefix}/${L}`);
      assert.equal(got.method, '/google.cloud.location.Locations/GetLocation');
      assert.deepEqual(got.fields, { name: L });
    });
  }
});

describe('route table: unversioned paths (firebase-admin) mean the v2 service', () => {
  test('POST /projects/.../tasks is v2 CreateTask', () => {
    const got = resolve('POST', `/${Q}/tasks`);
    assert.equal(got.method, '/google.cloud.tasks.v2.CloudTasks/CreateTask');
    assert.deepEqual(got.fields, { parent: Q });
  });
  test('DELETE /projects/.../tasks/{id} is v2 DeleteTask', () => {
    assert.equal(resolve('DELETE', `/${T}`).method, '/google.cloud.tasks.v2.CloudTasks/DeleteTask');
  });
  test('unversioned custom verbs resolve too', () => {
    assert.equal(resolve('POST', `/${Q}:pause`).method, '/google.cloud.tasks.v2.CloudTasks/PauseQueue');
  });
});

describe('route table: segment count and literals tell look-alike routes apart', () => {
  test('GetQueue vs ListTasks: trailing /tasks literal', () => {
    assert.equal(resolve('GET', `/v2/${Q}`).method, '/google.cloud.tasks.v2.CloudTasks/GetQueue');
    assert.equal(resolve('GET', `/v2/${Q}/tasks`).method, '/google.cloud.tasks.v2.CloudTasks/ListTasks');
  });
  test('GetLocation vs ListQueues: trailing /queues literal', () => {
    assert.equal(resolve('GET', `/v2/${L}`).method, '/google.cloud.location.Locations/GetLocation');
    assert.equal(resolve('GET', `/v2/${L}/queues`).method, '/google.cloud.tasks.v2.CloudTasks/ListQueues');
  });
  test('GetLocation vs GetCmekConfig: trailing /cmekConfig literal', () => {
    assert.equal(resolve('GET', `/v2beta3/${L}/cmekConfig`).method, '/google.cloud.tasks.v2beta3.CloudTasks/GetCmekConfig');
  });
});

describe('route table: a project ID may contain ":"', () => {
  const colonQueue = 'projects/example.com:proj/locations/us-central1/queues/q';
  test('%3A in a project ID (Node client) is decoded after splitting', () => {
    const got = resolve('GET', '/v2/projects/example.com%3Aproj/locations/us-central1/queues/q');
    assert.equal(got.method, '/google.cloud.tasks.v2.CloudTasks/GetQueue');
    assert.deepEqual(got.fields, { name: colonQueue });
  });
  test('a raw ":" in a project ID (gcloud) is not taken for a custom verb', () => {
    const got = resolve('GET', '/v2/projects/example.com:proj/locations/us-central1/queues/q/tasks');
    assert.equal(got.method, '/google.cloud.tasks.v2.CloudTasks/ListTasks');
    assert.deepEqual(got.fields, { parent: colonQueue });
  });
  test('the custom verb is split off the last segment only', () => {
    const got = resolve('POST', '/v2/projects/example.com:proj/locations/us-central1/queues/q:pause');
    assert.equal(got.method, '/google.cloud.tasks.v2.CloudTasks/PauseQueue');
    assert.deepEqual(got.fields, { name: colonQueue });
  });
  test('%3A before a verb stays part of the ID: encoded colon is data, raw colon is the verb', () => {
    const got = resolve('POST', '/v2/projects/a%3Ab/locations/l/queues/q/tasks/t:run');
    assert.equal(got.method, '/google.cloud.tasks.v2.CloudTasks/RunTask');
    assert.deepEqual(got.fields, { name: 'projects/a:b/locations/l/queues/q/tasks/t' });
  });
  test('ListLocations with a domain-scoped project', () => {
    const got = resolve('GET', '/v1/projects/example.com%3Aproj/locations');
    assert.deepEqual(got.fields, { name: 'projects/example.com:proj' });
  });
});

describe('route table: misses', () => {
  test('known path with the wrong HTTP method is method-not-allowed with the allowed list', () => {
    const m = table.match('PUT', `/v2/${Q}`);
    assert.equal(m.kind, 'method-not-allowed');
    if (m.kind === 'method-not-allowed') assert.deepEqual([...m.allowed].sort(), ['DELETE', 'GET', 'PATCH']);
  });
  test('unknown custom verb is no-route', () => {
    assert.equal(table.match('POST', `/v2/${Q}:explode`).kind, 'no-route');
  });
  test('empty segments never match a wildcard', () => {
    assert.equal(table.match('GET', '/v2/projects//locations/l/queues/q').kind, 'no-route');
    assert.equal(table.match('GET', `/v2/${Q}/`).kind, 'no-route');
  });
  test('malformed percent-encoding is INVALID_ARGUMENT', () => {
    assert.throws(() => table.match('GET', '/v2/projects/%zz/locations/l/queues/q'), (e: unknown) => e instanceof ApiError && e.code === 'INVALID_ARGUMENT');
  });
  test('ownsPath claims the REST prefixes only', () => {
    for (const p of ['/v2/x', '/v2beta3/x', '/v1/x', '/projects/p']) assert.ok(table.ownsPath(p), p);
    for (const p of ['/', '/api/queues', '/healthz', '/.well-known/openid-configuration', '/v3/x']) {
      assert.ok(!table.ownsPath(p), p);
    }
  });
});

describe('path templates', () => {
  test('nested field paths and custom verbs parse and print back', () => {
    for (const text of [
      '/v2/{queue.name=projects/*/locations/*/queues/*}',
      '/v2/{name=projects/*/locations/*/queues/*/tasks/*}:run',
      '/v2beta3/{parent=projects/*/locations/*/queues/*}/tasks:batchCreate',
      '/v1/{name=locations}',
    ]) {
      assert.equal(formatPathTemplate(parsePathTemplate(text)), text);
    }
    const t = parsePathTemplate('/v2/{queue.name=projects/*/locations/*/queues/*}');
    assert.deepEqual(t.variables, [{ fieldPath: ['queue', 'name'], start: 1, end: 7 }]);
  });
  test('a bare {var} means {var=*}', () => {
    assert.equal(formatPathTemplate(parsePathTemplate('/v1/things/{id}')), '/v1/things/{id=*}');
  });
});
