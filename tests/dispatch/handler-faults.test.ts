/**
 * Handlers that misbehave (https://cloud.google.com/tasks/docs/creating-http-target-tasks#handler): refused connections, resets mid-answer, no answer,
 * huge answers. Each attempt is recorded with its outcome and the task is retried; the server
 * stays healthy.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertRpcError, PARENT } from '../helpers/tasklight';
import { closedPort, durationMs, shortId, waitFor } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

describe('dispatch: handler faults', () => {
  const suite = useDispatchSuite();
  let queue: string;

  before(async () => {
    queue = `${PARENT}/queues/faults`;
    await suite.tl.client('grpc').createQueue({
      parent: PARENT,
      queue: { name: queue, retryConfig: { minBackoff: durationMs(100), maxBackoff: durationMs(200), maxAttempts: 3 } },
    });
  });
  const { engine } = suite;

  async function run(url: string, extra: Record<string, unknown> = {}) {
    const [task] = await suite.tl.client('grpc').createTask({ parent: queue, task: { httpRequest: { url }, ...extra } });
    const id = shortId(task.name!);
    const done = await waitFor(() => engine().history.finished(queue, id), 30_000, `task ${id} to finish`);
    return { name: task.name!, id, done, attempts: engine().history.attemptsOf(queue, id) };
  }

  test("records a refused connection as 'refused' and retries it", async () => {
    const port = await closedPort();
    const { name, done, attempts } = await run(`http://127.0.0.1:${port}/nobody-home`);
    assert.equal(done.outcome, 'exhausted');
    assert.deepEqual(attempts.map((a) => [a.outcome, a.status]), [['refused', null], ['refused', null], ['refused', null]]);
    assert.ok(attempts.every((a) => a.error), 'the error is recorded');
    assert.equal(Number(done.response_count), 0, 'no attempt got a response');
    await assertRpcError(suite.tl.client('grpc').getTask({ name }), 'grpc', 'NOT_FOUND');
  });

  test("records a connection reset mid-answer as 'reset' and retries it", async () => {
    suite.h.script('/faults/reset', [{ status: 200, reset: true }], 200);
    const { done, attempts } = await run(`${suite.h.url}/faults/reset`);
    assert.equal(done.outcome, 'succeeded');
    assert.deepEqual(attempts.map((a) => a.outcome), ['reset', 'success']);
    assert.equal(attempts[0]!.status, null);
    assert.equal(suite.h.to('/faults/reset').length, 2);
  });

  test("records a connection closed before any answer as 'reset' and retries it", async () => {
    suite.h.script('/faults/drop', [{ drop: true }], 200);
    const { done, attempts } = await run(`${suite.h.url}/faults/drop`);
    assert.equal(done.outcome, 'succeeded');
    assert.deepEqual(attempts.map((a) => [a.outcome, a.status]), [['reset', null], ['success', 200]]);
    assert.equal(suite.h.to('/faults/drop').length, 2, 'one request per attempt: the client must not retry on its own');
  });

  test("records a handler that never answers as 'timeout' after the dispatch deadline and retries it", async () => {
    suite.h.script('/faults/hang', [{ hang: true }], 200);
    const { done, attempts } = await run(`${suite.h.url}/faults/hang`, { dispatchDeadline: durationMs(1000) });
    assert.equal(done.outcome, 'succeeded');
    assert.deepEqual(attempts.map((a) => a.outcome), ['timeout', 'success']);
    assert.ok(attempts[0]!.duration_ms! >= 990, `gave up after ${attempts[0]!.duration_ms} ms, before the 1 s deadline`);
    const reqs = suite.h.to('/faults/hang');
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0]!.aborted, true, 'the hung request was cancelled at the deadline');
    assert.equal(reqs[1]!.header('X-CloudTasks-TaskPreviousResponse'), '504');
  });

  test('keeps an excerpt of a 10 MB answer, records its status and retries', async () => {
    const tenMb = 10 * 1024 * 1024;
    suite.h.script('/faults/huge', [{ status: 500, bodyBytes: tenMb }], { status: 200, bodyBytes: tenMb });
    const { done, attempts } = await run(`${suite.h.url}/faults/huge`);
    assert.equal(done.outcome, 'succeeded');
    assert.deepEqual(attempts.map((a) => [a.outcome, a.status]), [['http_error', 500], ['success', 200]]);
    for (const a of attempts) {
      const response = JSON.parse(a.response!);
      assert.equal(response.truncated, true, 'the excerpt is marked truncated');
      const kept = Buffer.from(response.body, 'base64');
      assert.ok(kept.length > 0 && kept.length <= 1024 * 1024, `kept ${kept.length} bytes of 10 MB`);
      assert.ok(kept.every((b) => b === 0x61), 'the excerpt is the start of the answer');
    }
  });

  test('serves GET /healthz with 200 after all of that', async () => {
    const res = await fetch(`${suite.tl.server.httpUrl}/healthz`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    // And still dispatches.
    const { done } = await run(`${suite.h.url}/faults/after`);
    assert.equal(done.outcome, 'succeeded');
  });
});
