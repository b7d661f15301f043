/**
 * Every time-dependent decision asks a Clock, so tests can drive time by hand and the UI can
 * move a queue's clock forward. Times are integer microseconds since the Unix epoch: Cloud Tasks
 * keeps schedule and purge times at microsecond precision.
 */
export interface Clock {
  nowUs(): number;
  /** Calls `fn` once `delayUs` of this clock's time has passed; returns a cancel function. */
  setTimer(fn: () => void, delayUs: number): () => void;
}

export class SystemClock implements Clock {
  // performance.now() is monotonic; anchor it to the wall clock once so time never runs backwards.
  private readonly originUs = Date.now() * 1000 - Math.round(performance.now() * 1000);

  nowUs(): number {
    return this.originUs + Math.round(performance.now() * 1000);
  }

  /**
   * Node's timers fire on whole milliseconds of a loop time that may be stale, so a plain
   * setTimeout can fire up to a millisecond early or late. Schedule tasks are due to the
   * microsecond and must never run early: sleep until about a millisecond before, then yield to
   * the event loop (I/O keeps flowing) until the moment has come.
   */
  setTimer(fn: () => void, delayUs: number): () => void {
    const atUs = this.nowUs() + (delayUs > 0 ? delayUs : 0);
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const wait = () => {
      // Longer sleeps than Node allows (~24.8 days; a task may be scheduled 30 days ahead) are
      // taken in pieces.
      const sleepMs = Math.min(MAX_SLEEP_MS, Math.floor((atUs - this.nowUs()) / 1000) - SPIN_MS);
      if (sleepMs > 0) timer = setTimeout(check, sleepMs);
      else immediate = setImmediate(check);
    };
    const check = () => {
      timer = immediate = undefined;
      if (this.nowUs() >= atUs) fn();
      else wait();
    };
    wait();
    return () => {
      clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
    };
  }
}

/** How long before a timer's moment SystemClock stops sleeping and starts yielding. */
const SPIN_MS = 1;
const MAX_SLEEP_MS = 2 ** 31 - 1;

interface FakeTimer {
  atUs: number;
  fn: () => void;
  seq: number;
}

/** A clock that moves only when told to, firing due timers in time order as it moves. */
export class FakeClock implements Clock {
  private timers: FakeTimer[] = [];
  private seq = 0;

  constructor(private currentUs: number = Date.UTC(2026, 0, 1) * 1000) {}

  nowUs(): number {
    return this.currentUs;
  }

  setTimer(fn: () => void, delayUs: number): () => void {
    const timer = { atUs: this.currentUs + Math.max(0, delayUs), fn, seq: this.seq++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advanceMs(ms: number): void {
    this.advanceUs(Math.round(ms * 1000));
  }

  advanceUs(us: number): void {
    const target = this.currentUs + us;
    for (;;) {
      const due = this.timers
        .filter((t) => t.atUs <= target)
        .sort((a, b) => a.atUs - b.atUs || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.currentUs = Math.max(this.currentUs, due.atUs);
      due.fn();
    }
    this.currentUs = target;
  }

  setUs(us: number): void {
    this.currentUs = us;
  }

  pendingTimers(): number {
    return this.timers.length;
  }
}

export const US_PER_MS = 1000;
export const US_PER_SECOND = 1_000_000;
