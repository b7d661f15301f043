/**
 * The engine's typed events: what a change announces reaches listeners on the next turn (after the
 * group commit that holds the change), in the order announced, each event to its own listeners.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EngineEventBus } from '../../src/main/core/events';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('engine events', () => {
  test('announced events arrive on the next turn, in the order announced, each to its own listeners', async () => {
    const bus = new EngineEventBus();
    const heard: string[] = [];
    bus.on('queue:changed', (e) => heard.push(`queue ${e.queue}`));
    bus.on('attempt:finished', (e) => heard.push(`attempt ${e.taskId} ${e.outcome} ${e.finished ?? '-'}`));
    bus.on('store:reset', () => heard.push('reset'));
    bus.announce('attempt:finished', { queue: 'q', taskId: '1', outcome: 'http', finished: 'exhausted' });
    bus.announce('task:changed', { queue: 'q', taskId: '2' });
    bus.announce('queue:changed', { queue: 'q' });
    bus.announce('store:reset', {});
    assert.deepEqual(heard, [], 'nothing is heard while the change is being made');
    await nextTurn();
    assert.deepEqual(heard, ['attempt 1 http exhausted', 'queue q', 'reset']);
  });

  test('a listener that stops listening while an event is delivered leaves the others listening', async () => {
    const bus = new EngineEventBus();
    const heard: string[] = [];
    const once = () => {
      heard.push('once');
      bus.off('queue:changed', once);
    };
    bus.on('queue:changed', once);
    bus.on('queue:changed', () => heard.push('always'));
    bus.announce('queue:changed', { queue: 'q' });
    bus.announce('queue:changed', { queue: 'q' });
    await nextTurn();
    assert.deepEqual(heard, ['once', 'always', 'always']);
  });

  test('a listener to any change hears every kind of event until it stops', async () => {
    const bus = new EngineEventBus();
    let changes = 0;
    const stop = bus.onAny(() => changes++);
    bus.announce('queue:changed', { queue: 'q' });
    bus.announce('task:changed', { queue: 'q', taskId: '1' });
    bus.announce('attempt:finished', { queue: 'q', taskId: '1', outcome: 'success', finished: 'succeeded' });
    bus.announce('store:reset', {});
    await nextTurn();
    assert.equal(changes, 4);
    stop();
    bus.announce('queue:changed', { queue: 'q' });
    await nextTurn();
    assert.equal(changes, 4);
  });
});
