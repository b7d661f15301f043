import type { Clock } from './clock';
import { ApiError } from './errors';
import { TypedEmitter } from './events';

/** Why writes fail: the disk (or the user's quota) is full, or the disk reports I/O errors. */
export type DiskFailure = 'disk-full' | 'io-error';

/** What /healthz, the UI's banner and the event stream say about the store. */
export type StoreHealthReport =
  | { status: 'ok' }
  | {
      status: 'degraded';
      reason: DiskFailure;
      /** When writes started failing (RFC 3339). */
      since: string;
      /** The data directory that cannot be written, or null for an in-memory store. */
      dataDir: string | null;
      /** The error SQLite or the file system gave, e.g. "SQLITE_FULL: database or disk is full". */
      detail: string;
    };

/** How often a degraded store is probed with a small durable write (the engine's clock). */
export const PROBE_INTERVAL_US = 2_000_000;

/**
 * Whether `err` means the disk refused a write, and how. SQLite reports a full disk as SQLITE_FULL
 * and device errors as SQLITE_IOERR or one of its extended codes (SQLITE_IOERR_WRITE,
 * SQLITE_IOERR_SHMSIZE, ...); the WAL's fsync reports Node's ENOSPC, EDQUOT or EIO.
 */
export function diskFailureOf(err: unknown): DiskFailure | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'disk-full';
  if (code === 'SQLITE_IOERR' || code.startsWith('SQLITE_IOERR_') || code === 'EIO') return 'io-error';
  return undefined;
}

interface Degraded {
  reason: DiskFailure;
  sinceUs: number;
  detail: string;
}

/**
 * Whether the store can be written. The first write the disk refuses marks it degraded; from then
 * on a probe (a small durable write) runs every PROBE_INTERVAL_US on the engine's clock, and the
 * first probe that commits marks it ok again. Listeners ('change') hear both transitions: the
 * dispatcher stops claiming and resumes, the UI shows and clears its banner.
 */
export class StoreHealth extends TypedEmitter<{ change: StoreHealthReport }> {
  private state: Degraded | undefined;
  private cancelProbe: (() => void) | undefined;
  private probing = false;
  private stopped = false;
  /** The write that tells whether the disk takes writes again; set by the engine. */
  probe: (() => Promise<void>) | undefined;

  constructor(
    readonly dataDir: string | null,
    private readonly clock: Clock,
  ) {
    super();
  }

  get degraded(): boolean {
    return this.state !== undefined;
  }

  report(): StoreHealthReport {
    const s = this.state;
    if (!s) return { status: 'ok' };
    return { status: 'degraded', reason: s.reason, since: new Date(Math.floor(s.sinceUs / 1000)).toISOString(), dataDir: this.dataDir, detail: s.detail };
  }

  /**
   * A write failed with `err`. When the disk refused it, records that (the first failure sets
   * `since`) and returns the retryable error to answer the caller with; otherwise undefined.
   */
  writeFailed(err: unknown): ApiError | undefined {
    const reason = diskFailureOf(err);
    if (!reason) return undefined;
    const detail = `${(err as { code: string }).code}: ${(err as Error).message}`;
    if (!this.state) {
      this.state = { reason, sinceUs: this.clock.nowUs(), detail };
      this.emit('change', this.report());
      this.scheduleProbe();
    } else {
      this.state.detail = detail;
    }
    return this.unavailable();
  }

  /**
   * The error every write answers while the store is degraded: UNAVAILABLE, which Cloud Tasks'
   * clients and https://google.aip.dev/194 treat as transient and safe to retry. Nothing of the
   * refused write was stored.
   */
  unavailable(): ApiError {
    const s = this.state;
    const what = s?.reason === 'io-error' ? 'the disk reports I/O errors' : 'the disk is full';
    const where = this.dataDir ? `its data directory ${this.dataDir}` : 'its in-memory store';
    return new ApiError(
      'UNAVAILABLE',
      `Tasklight cannot write to ${where}: ${what}${s ? ` (${s.detail})` : ''}. Nothing was stored; ` +
        'retry once space is freed (Tasklight resumes by itself).',
    );
  }

  /** Stops probing (the engine is closing). */
  stop(): void {
    this.stopped = true;
    this.cancelProbe?.();
    this.cancelProbe = undefined;
  }

  private scheduleProbe(): void {
    if (this.stopped || this.cancelProbe || this.probing) return;
    this.cancelProbe = this.clock.setTimer(() => {
      this.cancelProbe = undefined;
      void this.runProbe();
    }, PROBE_INTERVAL_US);
  }

  private async runProbe(): Promise<void> {
    if (this.stopped || !this.state || !this.probe) return;
    this.probing = true;
    try {
      await this.probe();
      this.probing = false;
      this.recovered();
    } catch (err) {
      this.probing = false;
      if (this.stopped) return;
      const reason = diskFailureOf(err);
      if (reason && this.state) this.state.detail = `${(err as { code: string }).code}: ${(err as Error).message}`;
      this.scheduleProbe();
    }
  }

  private recovered(): void {
    if (!this.state || this.stopped) return;
    this.state = undefined;
    this.emit('change', this.report());
  }
}
