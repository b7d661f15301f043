import { randomInt } from 'node:crypto';
import type { Clock } from './clock';

const LIMIT = 10_000_000_000_000_000_000n; // 19 digits

/**
 * IDs for tasks created without a name: 19 decimal digits, like the IDs production generates,
 * unique and never reused. They grow with creation time (the clock's µs, then three random
 * digits, and never below the last one issued) so that every index keyed by (queue, task_id)
 * takes them at its end instead of at random pages, so a group commit on the dispatch path
 * rewrites a few pages rather than one per task per index. Production's look random; neither is
 * ordered by contract.
 */
export class TaskIdGenerator {
  private last = 0n;

  constructor(private readonly clock: Clock) {}

  next(): string {
    let n = BigInt(Math.max(0, Math.floor(this.clock.nowUs()))) * 1000n + BigInt(randomInt(1000));
    if (n <= this.last) n = this.last + 1n;
    this.last = n;
    return (n % LIMIT).toString().padStart(19, '0');
  }
}
