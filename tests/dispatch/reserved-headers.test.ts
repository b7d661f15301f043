/**
 * Reserved service headers a task sets are ignored in any letter case: HTTP header names are
 * case-insensitive (https://www.rfc-editor.org/rfc/rfc9110#name-field-names), so the handler must
 * see exactly one X-CloudTasks-* value of each kind, Tasklight's own, and no task-supplied
 * X-Google-* or X-AppEngine-* header (https://cloud.google.com/tasks/docs/creating-http-target-tasks#handler).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PARENT } from '../helpers/tasklight';
import { shortId } from '../helpers/handler';
import { useDispatchSuite } from '../helpers/dispatch-suite';

/** What a task may try to set, in the letter cases a careless or hostile caller might use. */
const SPOOFED = {
  'X-CLOUDTASKS-TASKRETRYCOUNT': '99',
  'x-cloudtasks-taskexecutioncount': '42',
  'x-CloudTasks-QueueName': 'not-this-queue',
  'X-CloudTasks-Taskname': 'not-this-task',
  'X-CLOUDTASKS-TASKETA': '1.000000',
  'x-cloudtasks-taskpreviousresponse': '500',
  'X-GOOGLE-INTERNAL': 'spoofed',
  'x-Google-Trace': 'spoofed',
  'X-APPENGINE-QUEUENAME': 'spoofed',
  'x-appengine-taskretrycount': '77',
};

describe('dispatch: reserved headers a task sets are dropped in every letter case', () => {
  // App Engine tasks go to the configured base URL: the recording handler here.
  const suite = useDispatchSuite({ settings: (h) => ({ appEngineBaseUrl: h.url }) });
  let n = 0;

  async function newQueue(): Promise<{ name: string; id: string }> {
    const id = `reserved-${++n}`;
    const name = `${PARENT}/queues/${id}`;
    await suite.client().createQueue({ parent: PARENT, queue: { name } });
    return { name, id };
  }

  /** Every header name the handler saw, lower-cased, with how often it came. */
  function counts(names: string[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const name of names) out.set(name.toLowerCase(), (out.get(name.toLowerCase()) ?? 0) + 1);
    return out;
  }

  test('HTTP target: the handler sees only its own X-CloudTasks-* values, once each, and no X-Google-* / X-AppEngine-*', async () => {
    const queue = await newQueue();
    const [task] = await suite.client().createTask({
      parent: queue.name,
      task: { httpRequest: { url: `${suite.h.url}/reserved/http`, headers: { ...SPOOFED, 'X-Kept': 'yes' } } },
    });
    const [req] = await suite.h.waitForRequests(1, '/reserved/http');
    const seen = counts(req.headerNames);
    for (const name of ['x-cloudtasks-taskretrycount', 'x-cloudtasks-taskexecutioncount', 'x-cloudtasks-queuename', 'x-cloudtasks-taskname', 'x-cloudtasks-tasketa']) {
      assert.equal(seen.get(name), 1, `${name} arrived ${seen.get(name) ?? 0} times`);
    }
    assert.equal(req.headers['x-cloudtasks-taskretrycount'], '0');
    assert.equal(req.headers['x-cloudtasks-taskexecutioncount'], '0');
    assert.equal(req.headers['x-cloudtasks-queuename'], queue.id);
    assert.equal(req.headers['x-cloudtasks-taskname'], shortId(task.name!));
    assert.notEqual(req.headers['x-cloudtasks-tasketa'], '1.000000');
    assert.equal(seen.get('x-cloudtasks-taskpreviousresponse'), undefined, 'a first attempt has no PreviousResponse');
    const foreign = req.headerNames.filter((k) => /^x-(google|appengine)-/i.test(k));
    assert.deepEqual(foreign, [], 'task-supplied X-Google-* / X-AppEngine-* reached the handler');
    assert.equal(req.headers['x-kept'], 'yes', 'an ordinary header is kept');
  });

  test('App Engine target: the handler sees only its own X-AppEngine-* values, once each, and no X-Google-*', async () => {
    const queue = await newQueue();
    const [task] = await suite.client().createTask({
      parent: queue.name,
      task: { appEngineHttpRequest: { relativeUri: '/reserved/app-engine', headers: { ...SPOOFED, 'X-Kept': 'yes' } } },
    });
    const [req] = await suite.h.waitForRequests(1, '/reserved/app-engine');
    const seen = counts(req.headerNames);
    for (const name of ['x-appengine-taskretrycount', 'x-appengine-taskexecutioncount', 'x-appengine-queuename', 'x-appengine-taskname']) {
      assert.equal(seen.get(name), 1, `${name} arrived ${seen.get(name) ?? 0} times`);
    }
    assert.equal(req.headers['x-appengine-taskretrycount'], '0');
    assert.equal(req.headers['x-appengine-queuename'], queue.id);
    assert.equal(req.headers['x-appengine-taskname'], shortId(task.name!));
    assert.deepEqual(req.headerNames.filter((k) => /^x-google-/i.test(k)), []);
    assert.equal(req.headers['x-kept'], 'yes');
  });
});
