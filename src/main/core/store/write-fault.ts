import Database from 'better-sqlite3';

export type FaultCode = 'SQLITE_FULL' | 'SQLITE_IOERR';

const MESSAGES: Record<FaultCode, string> = {
  SQLITE_FULL: 'database or disk is full',
  SQLITE_IOERR: 'disk I/O error',
};

/**
 * A switch at the store's write boundary for tests: while `code` is set, every write path (the
 * group commit, the dispatcher's leases, lease hand-back at start, the health probe) fails with the
 * SqliteError a full or failing disk makes SQLite throw, after its statements ran and before they
 * are committed, so the rollback path runs as it would for real. Production code never sets it.
 */
export class WriteFault {
  code: FaultCode | undefined;

  /** Throws the configured error, if any: called where a real write would commit. */
  check(): void {
    if (this.code) throw new Database.SqliteError(MESSAGES[this.code], this.code);
  }
}
