import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttemptView, TaskDetail } from '../../src/shared/contract';
import { attemptsToHar, attemptsToJson, diffAttempts } from '../../src/renderer/src/lib/attempt-export';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function attempt(n: number, over: Partial<AttemptView> = {}): AttemptView {
  return {
    id: 100 + n,
    attempt: n,
    scheduleMs: Date.UTC(2026, 10, 23, 12, 0, n),
    dispatchMs: Date.UTC(2026, 10, 23, 12, 0, n),
    responseMs: Date.UTC(2026, 10, 23, 12, 0, n) + 12,
    durationMs: 12,
    status: 503,
    outcome: 'retry',
    error: null,
    statusClass: '5xx',
    runTask: false,
    request: {
      method: 'POST',
      url: 'http://127.0.0.1:8080/work?user=42',
      headers: { 'Content-Type': 'application/json', 'X-CloudTasks-TaskRetryCount': String(n - 1), Authorization: 'Bearer eyJsecret' },
      bodyBase64: b64('{"order":7}'),
      bodySize: 11,
    },
    response: { status: 503, headers: { 'content-type': 'text/plain' }, bodyBase64: b64('busy'), truncated: false },
    ...over,
  };
}

const task = (attempts: AttemptView[]) => ({ name: 'projects/p/locations/l/queues/q/tasks/7', attempts }) as unknown as TaskDetail;

describe('HAR export', () => {
  test('one entry per attempt, with the request as sent and the answer', () => {
    const har = attemptsToHar(task([attempt(1), attempt(2, { status: 200, outcome: 'succeeded', response: { status: 200, headers: {}, bodyBase64: '', truncated: false } })]), { version: '1.2.3' });
    assert.equal(har.log.version, '1.2');
    assert.deepEqual(har.log.creator, { name: 'Tasklight', version: '1.2.3' });
    assert.equal(har.log.entries.length, 2);
    const [first, second] = har.log.entries;
    assert.equal(first.startedDateTime, '2026-11-23T12:00:01.000Z');
    assert.equal(first.request.method, 'POST');
    assert.deepEqual(first.request.queryString, [{ name: 'user', value: '42' }]);
    assert.deepEqual(first.request.postData, { mimeType: 'application/json', text: '{"order":7}' });
    assert.ok(first.request.headers.some((h) => h.name === 'X-CloudTasks-TaskRetryCount' && h.value === '0'));
    assert.equal(first.response.status, 503);
    assert.equal(first.response.content.text, 'busy');
    assert.equal(first.response.content.size, 4);
    assert.equal(first.comment, 'attempt #1: retry');
    assert.equal(second.response.status, 200);
  });

  test('an attempt without an answer gets status 0 and its error; binary bodies stay base64', () => {
    const binary = Buffer.from([0, 1, 2, 255]).toString('base64');
    const har = attemptsToHar(task([attempt(1, { status: null, response: null, error: 'connect ECONNREFUSED', outcome: 'retry', request: { ...attempt(1).request, bodyBase64: binary, bodySize: 4 } })]));
    const [entry] = har.log.entries;
    assert.equal(entry.response.status, 0);
    assert.equal((entry.response as any)._error, 'connect ECONNREFUSED');
    assert.deepEqual(entry.request.postData, { mimeType: 'application/json', text: binary, encoding: 'base64' });
  });

  test('redacts the bearer token when asked, in HAR and in JSON', () => {
    const t = task([attempt(1)]);
    const auth = (headers: Array<{ name: string; value: string }>) => headers.find((h) => h.name === 'Authorization')!.value;
    assert.equal(auth(attemptsToHar(t).log.entries[0].request.headers), 'Bearer eyJsecret');
    assert.equal(auth(attemptsToHar(t, { redactToken: true }).log.entries[0].request.headers), 'Bearer <redacted>');
    assert.equal(attemptsToJson(t, { redactToken: true }).attempts[0].request.headers.Authorization, 'Bearer <redacted>');
    assert.equal(attemptsToJson(t).attempts[0].request.headers.Authorization, 'Bearer eyJsecret');
  });
});

describe('comparing two attempts', () => {
  test('lists only what differs: retry-count header, status, body, latency', () => {
    const a = attempt(1);
    const b = attempt(2, { status: 200, durationMs: 30, response: { status: 200, headers: { 'Content-Type': 'text/plain' }, bodyBase64: b64('ok'), truncated: false } });
    assert.deepEqual(
      diffAttempts(a, b).map((r) => [r.part, r.field, r.a, r.b]),
      [
        ['request', 'header X-CloudTasks-TaskRetryCount', '0', '1'],
        ['response', 'status', '503', '200'],
        ['response', 'body', 'busy', 'ok'],
        ['attempt', 'latency', '12 ms', '30 ms'],
      ],
    );
  });

  test('header names compare without case; an attempt without an answer says why', () => {
    const a = attempt(1);
    const b = attempt(1, { status: null, error: 'deadline exceeded', response: null, durationMs: 12 });
    const rows = diffAttempts(a, b);
    assert.deepEqual(rows.find((r) => r.field === 'status'), { part: 'response', field: 'status', a: '503', b: 'no answer: deadline exceeded' });
    assert.deepEqual(rows.find((r) => r.field === 'header content-type'), { part: 'response', field: 'header content-type', a: 'text/plain', b: '' });
    assert.deepEqual(diffAttempts(a, attempt(1)), []);
  });
});
