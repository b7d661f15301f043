import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../../src/main/core/clock';
import { TaskIdGenerator } from '../../src/main/core/task-id-generator';

describe('generated task IDs', () => {
  test('are 19 decimal digits, like the IDs production generates', () => {
    const ids = new TaskIdGenerator(new FakeClock(Date.parse('2026-11-23T12:00:00Z') * 1000));
    for (let i = 0; i < 100; i++) assert.match(ids.next(), /^\d{19}$/);
  });

  test('never repeat, even while the clock stands still', () => {
    const ids = new TaskIdGenerator(new FakeClock(Date.parse('2026-11-23T12:00:00Z') * 1000));
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(ids.next());
    assert.equal(seen.size, 20_000);
  });

  test('grow with creation time, so name indexes append instead of scattering', () => {
    const clock = new FakeClock(Date.parse('2026-11-23T12:00:00Z') * 1000);
    const ids = new TaskIdGenerator(clock);
    let last = ids.next();
    for (let i = 0; i < 1_000; i++) {
      if (i % 10 === 0) clock.advanceUs(1);
      const id = ids.next();
      assert.ok(id > last, `${id} after ${last}`);
      last = id;
    }
  });

  test('keep 19 digits with a clock at the epoch (leading zeros, as production sometimes shows)', () => {
    const id = new TaskIdGenerator(new FakeClock(0)).next();
    assert.match(id, /^0{15}\d{4}$/);
  });
});
