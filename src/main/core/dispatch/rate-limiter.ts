/**
 * A queue's token bucket (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#RateLimits): refilled at max_dispatches_per_second up to
 * max_burst_size, starting full. Every dispatch, first attempt or retry, takes one token.
 */
export class TokenBucket {
  private tokens: number;
  private lastUs: number;

  constructor(
    private ratePerSecond: number,
    private capacity: number,
    nowUs: number,
  ) {
    this.tokens = capacity;
    this.lastUs = nowUs;
  }

  /** UpdateQueue takes effect at once; tokens already earned are kept up to the new capacity. */
  reconfigure(ratePerSecond: number, capacity: number, nowUs: number): void {
    this.refill(nowUs);
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  private refill(nowUs: number): void {
    if (nowUs > this.lastUs) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowUs - this.lastUs) / 1e6) * this.ratePerSecond);
      this.lastUs = nowUs;
    }
  }

  /** Whole tokens available now. */
  available(nowUs: number): number {
    this.refill(nowUs);
    return Math.floor(this.tokens + 1e-9);
  }

  take(count: number, nowUs: number): void {
    this.refill(nowUs);
    this.tokens -= count;
  }

  /** Microseconds until one whole token is available (0 if one is). */
  waitUs(nowUs: number): number {
    this.refill(nowUs);
    if (this.tokens >= 1 - 1e-9) return 0;
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1e6);
  }

  level(nowUs: number): number {
    this.refill(nowUs);
    return this.tokens;
  }
}
