import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseQueueName, parseTaskName } from '../../src/main/core/resource-names';

describe('resource names', () => {
  test('accepts domain-scoped project ids with colons and periods', () => {
    const q = parseQueueName('projects/example.com:my-proj/locations/us-central1/queues/q-1');
    assert.equal(q.project, 'example.com:my-proj');
    assert.equal(q.queue, 'q-1');
  });

  test('queue ids allow letters, digits and hyphens only, up to 100', () => {
    assert.throws(() => parseQueueName('projects/p/locations/l/queues/under_score'), /Queue name must be formatted/);
    assert.throws(() => parseQueueName(`projects/p/locations/l/queues/${'a'.repeat(101)}`), /Queue name must be formatted/);
    assert.ok(parseQueueName(`projects/p/locations/l/queues/${'a'.repeat(100)}`));
  });

  test('task ids allow underscores, up to 500, with the live message otherwise', () => {
    assert.equal(parseTaskName('projects/p/locations/l/queues/q/tasks/a_b-1').task, 'a_b-1');
    assert.throws(
      () => parseTaskName('projects/p/locations/l/queues/q/tasks/a.b'),
      /Task ID "a\.b" can contain only letters \(\[A-Za-z\]\), numbers \(\[0-9\]\), hyphens \(-\), or underscores \(_\)\. Task ID must between 1 and 500 characters\./,
    );
    assert.throws(() => parseTaskName(`projects/p/locations/l/queues/q/tasks/${'t'.repeat(501)}`), /Task ID/);
  });
});
