/**
 * Every time-dependent decision asks a Clock, so tests can drive time by hand and the UI can
 * move a queue's clock forward. Times are integer microseconds since the Unix epoch: Cloud Tasks
 * keeps schedule and purge times at microsecond precision.
 */
export interface Clock {
  nowUs(): number;
}

export class SystemClock implements Clock {
  // performance.now() is monotonic; anchor it to the wall clock once so time never runs backwards.
  private readonly originUs = Date.now() * 1000 - Math.round(performance.now() * 1000);

  nowUs(): number {
    return this.originUs + Math.round(performance.now() * 1000);
  }
}

export class FakeClock implements Clock {
  constructor(private currentUs: number = Date.UTC(2026, 0, 1) * 1000) {}

  nowUs(): number {
    return this.currentUs;
  }

  advanceMs(ms: number): void {
    this.currentUs += Math.round(ms * 1000);
  }

  setUs(us: number): void {
    this.currentUs = us;
  }
}

export const US_PER_MS = 1000;
export const US_PER_SECOND = 1_000_000;
