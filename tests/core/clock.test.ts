import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SystemClock } from '../../src/main/core/clock';

describe('SystemClock timers', () => {
  test('never fire before their moment, each firing once', async () => {
    const clock = new SystemClock();
    const lateness: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        // Delays with microsecond parts, from 0 to ~40 ms: where whole-millisecond timers slip.
        const delayUs = i * 197 + (i % 7) * 13;
        const atUs = clock.nowUs() + delayUs;
        return new Promise<void>((resolve) =>
          clock.setTimer(() => {
            lateness.push(clock.nowUs() - atUs);
            resolve();
          }, delayUs),
        );
      }),
    );
    assert.equal(lateness.length, 200);
    assert.ok(Math.min(...lateness) >= 0, `a timer fired ${-Math.min(...lateness)} µs early`);
    // How late they fire depends on the machine's load; bench/dispatch.ts measures schedule
    // lateness, a test cannot bound it without failing on a busy machine.
  });

  test('a cancelled timer never fires', async () => {
    const clock = new SystemClock();
    let fired = 0;
    const cancels = [0, 500, 3_000].map((us) => clock.setTimer(() => fired++, us));
    for (const cancel of cancels) cancel();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(fired, 0);
  });

  test('a timer weeks ahead (beyond what setTimeout takes) sleeps without busy-waiting', async () => {
    const clock = new SystemClock();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let fired = false;
    const cancel = clock.setTimer(() => (fired = true), 30 * 24 * 3600 * 1e6);
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 200));
    const cpu = process.cpuUsage(cpu0);
    cancel();
    process.off('warning', onWarning);
    assert.equal(fired, false);
    assert.deepEqual(warnings, [], 'Node cut an over-long setTimeout to 1 ms');
    assert.ok((cpu.user + cpu.system) / 1000 < 100, `used ${(cpu.user + cpu.system) / 1000} ms of CPU in 200 ms of waiting`);
  });
});
