import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouteTable } from '../../src/main/api/rest/route-table';
import { decodeRestRequest, encodeRestResponse, wantsNumericEnums } from '../../src/main/api/rest/json-codec';
import { ApiError } from '../../src/main/core/errors';
import { lookupType } from '../../src/main/core/protos';

const table = buildRouteTable();
const Q = 'projects/p/locations/us-central1/queues/q';

function decode(httpMethod: string, url: string, body?: unknown) {
  const [path, search = ''] = url.split('?');
  const m = table.match(httpMethod, path);
  if (m.kind !== 'found') throw new Error(`no route for ${httpMethod} ${path}`);
  const raw = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return decodeRestRequest({ route: m.route, pathParams: m.pathParams, query: new URLSearchParams(search), body: raw });
}

function rejects(fn: () => unknown, message: string | RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    assert.equal(e.code, 'INVALID_ARGUMENT');
    if (typeof message === 'string') assert.ok(e.message.includes(message), `message was: ${e.message}`);
    else assert.match(e.message, message);
    return true;
  });
}

const createTask = (task: unknown, extra: object = {}) =>
  decode('POST', `/v2/${Q}/tasks?$alt=json%3Benum-encoding=int`, { task, ...extra });

describe('codec: requests are built from path + query + body', () => {
  test('the Node client CreateTask capture (the REST body the client sends) decodes to the plain-object shape', () => {
    const req = createTask(
      {
        name: `${Q}/tasks/t1`,
        httpRequest: {
          headers: { 'Content-Type': 'application/json' },
          url: 'http://localhost:8080/h?x=1',
          httpMethod: 1,
          body: 'eyJhIjoxfQ==',
          oidcToken: { serviceAccountEmail: 'sa@p.iam.gserviceaccount.com' },
        },
        scheduleTime: '2023-11-14T22:13:20.000005Z',
        dispatchDeadline: '30s',
      },
      { responseView: 1 },
    );
    assert.deepEqual(req, {
      parent: Q,
      responseView: 'BASIC',
      task: {
        name: `${Q}/tasks/t1`,
        httpRequest: {
          headers: { 'Content-Type': 'application/json' },
          url: 'http://localhost:8080/h?x=1',
          httpMethod: 'POST',
          body: Buffer.from('{"a":1}'),
          oidcToken: { serviceAccountEmail: 'sa@p.iam.gserviceaccount.com' },
        },
        scheduleTime: { seconds: 1700000000, nanos: 5000 },
        dispatchDeadline: { seconds: 30 },
      },
    });
  });

  test('body "queue" binds the JSON to request.queue and updateMask comes from the query, paths as sent', () => {
    const req = decode(
      'PATCH',
      `/v2/${Q}?updateMask=rate_limits.max_dispatches_per_second%2CretryConfig&$alt=json%3Benum-encoding=int`,
      { rateLimits: { maxDispatchesPerSecond: 5 } },
    );
    assert.deepEqual(req, {
      queue: { name: Q, rateLimits: { maxDispatchesPerSecond: 5 } },
      updateMask: { paths: ['rate_limits.max_dispatches_per_second', 'retryConfig'] },
    });
  });

  test('GET binds scalar query parameters, numbers from strings, enums by number or name', () => {
    assert.deepEqual(decode('GET', `/v2/${Q}/tasks?responseView=2&pageSize=10&pageToken=abc`), {
      parent: Q,
      responseView: 'FULL',
      pageSize: 10,
      pageToken: 'abc',
    });
    assert.deepEqual(decode('GET', `/v2/${Q}/tasks?response_view=FULL&page_size=3`), {
      parent: Q,
      responseView: 'FULL',
      pageSize: 3,
    });
  });

  test('ListQueues filter with an encoded space and colon', () => {
    const req = decode('GET', '/v2/projects/p/locations/l/queues?filter=state%3A%20PAUSED&pageSize=10');
    assert.deepEqual(req, { parent: 'projects/p/locations/l', filter: 'state: PAUSED', pageSize: 10 });
  });

  test('v2beta3 readMask binds from the query as a FieldMask', () => {
    const req = decode('GET', `/v2beta3/${Q}?readMask=stats,name`);
    assert.deepEqual(req, { name: Q, readMask: { paths: ['stats', 'name'] } });
  });

  test('nested query keys bind through messages: options.requestedPolicyVersion', () => {
    // GetIamPolicy's body is "*", but a client may still put the option in the query.
    const req = decode('POST', `/v2/${Q}:getIamPolicy?options.requestedPolicyVersion=3`, {});
    assert.deepEqual(req, { resource: Q, options: { requestedPolicyVersion: 3 } });
  });

  test('custom verbs with body {} decode to just the path fields', () => {
    assert.deepEqual(decode('POST', `/v2/${Q}:pause?$alt=json%3Benum-encoding=int`, {}), { name: Q });
    assert.deepEqual(decode('POST', `/v2/${Q}/tasks/t:run`, { responseView: 2 }), {
      name: `${Q}/tasks/t`,
      responseView: 'FULL',
    });
  });

  test('system parameters are accepted and ignored', () => {
    const req = decode(
      'GET',
      `/v2/${Q}?$alt=json%3Benum-encoding=int&alt=json&prettyPrint=false&$prettyPrint=0&fields=name&key=k&quotaUser=u&$.xgafv=2`,
    );
    assert.deepEqual(req, { name: Q });
  });

  test('GET/DELETE accept an empty body or {} (gax sends Content-Type without a body)', () => {
    assert.deepEqual(decode('DELETE', `/v2/${Q}`, ''), { name: Q });
    assert.deepEqual(decode('GET', `/v2/${Q}`, {}), { name: Q });
  });

  test('zero scalars without presence are dropped, as gRPC would never carry them', () => {
    assert.deepEqual(decode('GET', `/v2/${Q}/tasks?pageSize=0&responseView=VIEW_UNSPECIFIED`), { parent: Q });
    assert.deepEqual(createTask({ name: '0', dispatchCount: 0, httpRequest: { url: '' } }).task, { name: '0', httpRequest: {} });
  });

  test('path fields win over the same field in the body', () => {
    const req = decode('PATCH', `/v2/${Q}`, { name: 'projects/other/locations/l/queues/x' });
    assert.equal(req.queue.name, Q);
  });

  test('unversioned firebase-admin enqueue body (camelCase, no enums, empty url) decodes', () => {
    const req = decode('POST', `/${Q}/tasks`, {
      task: {
        httpRequest: { url: '', body: Buffer.from('{"data":{}}').toString('base64'), headers: { 'Content-Type': 'application/json' } },
        scheduleTime: '2024-01-01T00:00:00.000Z',
        dispatchDeadline: '300s',
      },
    });
    assert.deepEqual(req.task.scheduleTime, { seconds: 1704067200 });
    assert.deepEqual(req.task.dispatchDeadline, { seconds: 300 });
    assert.equal(req.task.httpRequest.url, undefined, 'empty string is the proto3 default, so absent');
  });
});

describe('codec: field names in lowerCamelCase or snake_case', () => {
  test('snake_case keys are normalised to camelCase at every depth', () => {
    const req = decode('POST', `/v2/${Q}/tasks`, {
      task: {
        http_request: { http_method: 'GET', url: 'http://x/', oidc_token: { service_account_email: 'a@b' } },
        schedule_time: '2024-01-01T00:00:00Z',
        dispatch_deadline: '15s',
      },
      response_view: 'FULL',
    });
    assert.deepEqual(req, {
      parent: Q,
      responseView: 'FULL',
      task: {
        httpRequest: { httpMethod: 'GET', url: 'http://x/', oidcToken: { serviceAccountEmail: 'a@b' } },
        scheduleTime: { seconds: 1704067200 },
        dispatchDeadline: { seconds: 15 },
      },
    });
  });

  test('map keys (header names) are data and are not renamed', () => {
    const req = createTask({ httpRequest: { url: 'http://x/', headers: { x_custom_header: 'v', 'X-Foo': 'y' } } });
    assert.deepEqual(req.task.httpRequest.headers, { x_custom_header: 'v', 'X-Foo': 'y' });
  });
});

describe('codec: enums as numbers or names', () => {
  test('numeric and named httpMethod decode to the same name', () => {
    assert.equal(createTask({ httpRequest: { url: 'http://x/', httpMethod: 6 } }).task.httpRequest.httpMethod, 'PATCH');
    assert.equal(createTask({ httpRequest: { url: 'http://x/', httpMethod: 'PATCH' } }).task.httpRequest.httpMethod, 'PATCH');
  });
  test('unknown enum name is INVALID_ARGUMENT naming the field', () => {
    rejects(
      () => createTask({ httpRequest: { url: 'http://x/', httpMethod: 'FETCH' } }),
      `Invalid value at 'task.http_request.http_method' (type.googleapis.com/google.cloud.tasks.v2.HttpMethod), "FETCH"`,
    );
  });
  test('unknown enum number is INVALID_ARGUMENT naming the field', () => {
    rejects(() => createTask({}, { responseView: 99 }), `Invalid value at 'response_view' (type.googleapis.com/google.cloud.tasks.v2.Task.View), 99`);
  });
  test('unknown enum name in the query names the field', () => {
    rejects(() => decode('GET', `/v2/${Q}/tasks?responseView=HUGE`), `Invalid value at 'response_view'`);
  });
});

describe('codec: unknown fields are refused in Google wording', () => {
  test('nested unknown name names its parent path in snake_case', () => {
    rejects(
      () => createTask({ httpRequest: { url: 'http://x/', foo: 1 } }),
      `Invalid JSON payload received. Unknown name "foo" at 'task.http_request': Cannot find field.`,
    );
  });
  test('top-level unknown name has no "at" clause', () => {
    rejects(() => createTask({}, { bogus: true }), `Invalid JSON payload received. Unknown name "bogus": Cannot find field.`);
  });
  test('unknown names inside body "queue" are located under queue', () => {
    rejects(
      () => decode('PATCH', `/v2/${Q}`, { rateLimits: { maxDispatchesPerSecnd: 1 } }),
      `Unknown name "maxDispatchesPerSecnd" at 'queue.rate_limits': Cannot find field.`,
    );
  });
  test('every problem is reported, one per line', () => {
    assert.throws(
      () => createTask({ a: 1, b: 2 }),
      (e: ApiError) => e.message.split('\n').length === 2,
    );
  });
  test('unknown query parameter cannot be bound', () => {
    rejects(
      () => decode('GET', `/v2/${Q}?colour=red`),
      `Invalid JSON payload received. Unknown name "colour": Cannot bind query parameter. Field 'colour' could not be found in request message.`,
    );
  });
  test('a message-typed query parameter is refused', () => {
    rejects(() => decode('GET', `/v2/${Q}/tasks?task=x`), /Unknown name "task"/);
  });
  test('Object.prototype names are unknown fields, not prototype lookups', () => {
    rejects(() => createTask({ constructor: 1 }), `Unknown name "constructor" at 'task'`);
    rejects(() => decode('POST', `/v2/${Q}/tasks`, '{"__proto__": {"x": 1}}'), `Unknown name "__proto__"`);
  });
  test('a GET with a non-empty body is refused', () => {
    rejects(() => decode('GET', `/v2/${Q}`, { name: 'x' }), 'does not take a request body');
  });
});

describe('codec: wrong JSON types are refused with the field path and type', () => {
  test('string where an int32 belongs', () => {
    rejects(() => decode('GET', `/v2/${Q}/tasks?pageSize=ten`), `Invalid value at 'page_size' (TYPE_INT32), "ten"`);
  });
  test('number where a string belongs', () => {
    rejects(() => createTask({ name: 5 }), `Invalid value at 'task.name' (TYPE_STRING), 5`);
  });
  test('fractional number for an integer field', () => {
    rejects(() => decode('PATCH', `/v2/${Q}`, { rateLimits: { maxConcurrentDispatches: 1.5 } }), `Invalid value at 'queue.rate_limits.max_concurrent_dispatches' (TYPE_INT32), 1.5`);
  });
  test('int32 out of range', () => {
    rejects(() => decode('PATCH', `/v2/${Q}`, { retryConfig: { maxAttempts: 2 ** 31 } }), `'queue.retry_config.max_attempts' (TYPE_INT32)`);
  });
  test('int32 as a decimal string is accepted (proto3 JSON)', () => {
    assert.equal(decode('PATCH', `/v2/${Q}`, { retryConfig: { maxAttempts: '7' } }).queue.retryConfig.maxAttempts, 7);
  });
  test('string where a message belongs', () => {
    rejects(() => createTask('nope'), `Invalid value at 'task' (type.googleapis.com/google.cloud.tasks.v2.Task), "nope"`);
  });
  test('list where a singular field belongs', () => {
    rejects(() => createTask([]), `Invalid JSON payload received. Unknown name "task": Proto field is not repeating, cannot start list.`);
  });
  test('scalar where a repeated field belongs', () => {
    rejects(() => decode('POST', `/v2/${Q}:testIamPermissions`, { permissions: 'a' }), `Invalid value at 'permissions' (TYPE_STRING), "a"`);
  });
  test('boolean must be a JSON boolean', () => {
    rejects(() => decode('POST', `/v2/${Q}:setIamPolicy`, { policy: { bindings: [{ role: 'r', members: ['m'] }] }, updateMask: 1 }), `Invalid value at 'update_mask'`);
  });
  test('two members of one oneof', () => {
    rejects(
      () => createTask({ httpRequest: { url: 'http://x/' }, appEngineHttpRequest: {} }),
      `Oneof field 'message_type' is already set. Cannot set 'app_engine_http_request' at 'task'.`,
    );
  });
  test('the root of a "*" body must be an object', () => {
    rejects(() => decode('POST', `/v2/${Q}/tasks`, '[1]'), 'Root element must be a message.');
  });
  test('null means unset', () => {
    assert.deepEqual(createTask({ scheduleTime: null, httpRequest: { url: 'http://x/', headers: null } }).task, {
      httpRequest: { url: 'http://x/' },
    });
  });
});

describe('codec: bytes are standard or URL-safe base64', () => {
  const body = (b: string) => createTask({ httpRequest: { url: 'http://x/', body: b } }).task.httpRequest.body as Buffer;
  test('standard base64 with padding', () => assert.deepEqual(body('eyJhIjoxfQ=='), Buffer.from('{"a":1}')));
  test('URL-safe base64 without padding', () => assert.deepEqual(body('-_-_'), Buffer.from([0xfb, 0xff, 0xbf])));
  test('standard base64 with +/ ', () => assert.deepEqual(body('+/+/'), Buffer.from([0xfb, 0xff, 0xbf])));
  test('characters outside base64 are refused with the field path', () => {
    rejects(() => body('not base64!'), `Invalid value at 'task.http_request.body' (TYPE_BYTES), "not base64!"`);
  });
  test('an impossible length is refused', () => rejects(() => body('abcde'), `(TYPE_BYTES), "abcde"`));
});

describe('codec: timestamps and durations', () => {
  const schedule = (v: unknown) => createTask({ scheduleTime: v }).task.scheduleTime;
  test('RFC 3339 Z with 0, 3, 6, 9 fractional digits', () => {
    assert.deepEqual(schedule('2023-11-14T22:13:20Z'), { seconds: 1700000000 });
    assert.deepEqual(schedule('2023-11-14T22:13:20.5Z'), { seconds: 1700000000, nanos: 500000000 });
    assert.deepEqual(schedule('2023-11-14T22:13:20.000005Z'), { seconds: 1700000000, nanos: 5000 });
    assert.deepEqual(schedule('2023-11-14T22:13:20.123456789Z'), { seconds: 1700000000, nanos: 123456789 });
  });
  test('an offset is converted to UTC', () => {
    assert.deepEqual(schedule('2023-11-14T23:13:20.25+01:00'), { seconds: 1700000000, nanos: 250000000 });
  });
  test('free text is refused in Google wording', () => {
    rejects(() => schedule('yesterday'), `Invalid value at 'task.schedule_time' (type.googleapis.com/google.protobuf.Timestamp), "yesterday"`);
  });
  test('impossible dates and epoch numbers are refused', () => {
    rejects(() => schedule('2023-02-30T00:00:00Z'), `'task.schedule_time'`);
    rejects(() => schedule(1700000000), `'task.schedule_time'`);
    rejects(() => schedule('2023-11-14T22:13:20'), `'task.schedule_time'`);
  });
  test('durations: decimal seconds with s', () => {
    assert.deepEqual(createTask({ dispatchDeadline: '1.500s' }).task.dispatchDeadline, { seconds: 1, nanos: 500000000 });
    assert.deepEqual(createTask({ dispatchDeadline: '0.100s' }).task.dispatchDeadline, { nanos: 100000000 });
  });
  test('a duration without the s suffix is refused', () => {
    rejects(() => createTask({ dispatchDeadline: 30 }), `Invalid value at 'task.dispatch_deadline' (type.googleapis.com/google.protobuf.Duration), 30`);
    rejects(() => createTask({ dispatchDeadline: '30' }), `'task.dispatch_deadline'`);
  });
});

describe('codec: int64 as strings or numbers', () => {
  test('v2beta3 UriOverride.port accepts "8080" and 8080', () => {
    const withPort = (port: unknown) =>
      decode('POST', `/v2beta3/projects/p/locations/l/queues`, {
        name: 'projects/p/locations/l/queues/q',
        httpTarget: { uriOverride: { port } },
      }).queue.httpTarget.uriOverride.port;
    assert.equal(withPort('8080'), 8080);
    assert.equal(withPort(8080), 8080);
    rejects(() => withPort('80a'), `Invalid value at 'queue.http_target.uri_override.port' (TYPE_INT64), "80a"`);
  });
});

describe('codec: malformed JSON', () => {
  test('is INVALID_ARGUMENT "Invalid JSON payload received."', () => {
    rejects(() => decode('POST', `/v2/${Q}/tasks`, '{"task": '), /^Invalid JSON payload received\. /);
  });
});

describe('codec: responses', () => {
  const Task = lookupType('google.cloud.tasks.v2.Task');
  const task = {
    name: `${Q}/tasks/t1`,
    httpRequest: { url: 'http://x/', httpMethod: 'POST', body: Buffer.from('{"a":1}') },
    scheduleTime: { seconds: 1700000000, nanos: 5000 },
    dispatchDeadline: { seconds: 1, nanos: 500000000 },
    view: 'BASIC',
  };
  test('enum names by default', () => {
    const json = JSON.parse(encodeRestResponse(Task, task, false));
    assert.equal(json.httpRequest.httpMethod, 'POST');
    assert.equal(json.view, 'BASIC');
  });
  test('enum numbers when $alt asks enum-encoding=int', () => {
    assert.ok(wantsNumericEnums(new URLSearchParams('$alt=json%3Benum-encoding=int')));
    assert.ok(wantsNumericEnums(new URLSearchParams('alt=json;enum-encoding=int')));
    assert.ok(!wantsNumericEnums(new URLSearchParams('alt=json')));
    const json = JSON.parse(encodeRestResponse(Task, task, true));
    assert.equal(json.httpRequest.httpMethod, 1);
    assert.equal(json.view, 1);
  });
  test('proto3 JSON forms for timestamps, durations, bytes; defaults omitted', () => {
    const json = JSON.parse(encodeRestResponse(Task, task, false));
    assert.equal(json.scheduleTime, '2023-11-14T22:13:20.000005Z');
    assert.equal(json.dispatchDeadline, '1.500s');
    assert.equal(json.httpRequest.body, 'eyJhIjoxfQ==');
    assert.equal('dispatchCount' in json, false);
  });
  test('int64 is a JSON string', () => {
    const Queue = lookupType('google.cloud.tasks.v2beta3.Queue');
    const json = JSON.parse(encodeRestResponse(Queue, { httpTarget: { uriOverride: { port: 8080 } } }, false));
    assert.equal(json.httpTarget.uriOverride.port, '8080');
  });
  test('Empty answers {}', () => {
    const Empty = lookupType('google.protobuf.Empty');
    assert.equal(encodeRestResponse(Empty, {}, true), '{}');
    assert.equal(encodeRestResponse(Empty, undefined, false), '{}');
  });
});
