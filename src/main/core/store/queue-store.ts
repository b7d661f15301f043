import type { QueueConfig } from '../queue-config';
import type { Db } from './database';

export type QueueState = 'RUNNING' | 'PAUSED' | 'DISABLED';

export interface QueueRow {
  name: string;
  project: string;
  location: string;
  state: QueueState;
  config: QueueConfig;
  purgeTimeUs: number | null;
  iamPolicy: Record<string, unknown> | null;
  createTimeUs: number;
  updateTimeUs: number;
  /** How far this queue's clock runs ahead of the engine's ("advance a queue's clock"). */
  clockOffsetUs: number;
}

interface RawQueueRow {
  name: string;
  project: string;
  location: string;
  state: QueueState;
  config: string;
  purge_time_us: number | null;
  iam_policy: string | null;
  create_time_us: number;
  update_time_us: number;
  clock_offset_us: number;
}

function fromRaw(raw: RawQueueRow): QueueRow {
  return {
    name: raw.name,
    project: raw.project,
    location: raw.location,
    state: raw.state,
    config: JSON.parse(raw.config),
    purgeTimeUs: raw.purge_time_us,
    iamPolicy: raw.iam_policy ? JSON.parse(raw.iam_policy) : null,
    createTimeUs: raw.create_time_us,
    updateTimeUs: raw.update_time_us,
    clockOffsetUs: raw.clock_offset_us ?? 0,
  };
}

/**
 * SQL for queues and the names of recently deleted queues. Committed rows are cached: every
 * CreateTask reads its queue, and a queue changes rarely. Rows read inside a transaction are not
 * cached, since that transaction may still roll back.
 */
export class QueueStore {
  private readonly cache = new Map<string, QueueRow>();

  private readonly byName;
  private readonly inLocation;
  private readonly upsertRow;
  private readonly deleteRow;
  private readonly setStateStmt;
  private readonly setPurgeStmt;
  private readonly setPolicyStmt;
  private readonly tombstoneOf;
  private readonly putTombstone;
  private readonly dropTombstone;
  private readonly locationsOf;
  private readonly allRows;
  private readonly advanceStmt;
  private readonly dropAllTombstones;
  private readonly cmekOf;
  private readonly putCmek;

  constructor(private readonly db: Db) {
    this.byName = db.prepare<[string], RawQueueRow>('SELECT * FROM queues WHERE name = ?');
    this.inLocation = db.prepare<[string, string, string], RawQueueRow>(
      'SELECT * FROM queues WHERE project = ? AND location = ? AND name > ? ORDER BY name',
    );
    this.upsertRow = db.prepare(
      `INSERT INTO queues (name, project, location, state, config, purge_time_us, iam_policy, create_time_us, update_time_us)
       VALUES (@name, @project, @location, @state, @config, @purge_time_us, @iam_policy, @create_time_us, @update_time_us)
       ON CONFLICT(name) DO UPDATE SET config = excluded.config, update_time_us = excluded.update_time_us`,
    );
    this.deleteRow = db.prepare('DELETE FROM queues WHERE name = ?');
    this.setStateStmt = db.prepare('UPDATE queues SET state = ?, update_time_us = ? WHERE name = ?');
    this.setPurgeStmt = db.prepare('UPDATE queues SET purge_time_us = ?, update_time_us = ? WHERE name = ?');
    this.setPolicyStmt = db.prepare('UPDATE queues SET iam_policy = ? WHERE name = ?');
    this.tombstoneOf = db.prepare<[string], { deleted_us: number }>('SELECT deleted_us FROM queue_tombstones WHERE name = ?');
    this.putTombstone = db.prepare('INSERT OR REPLACE INTO queue_tombstones (name, deleted_us) VALUES (?, ?)');
    this.dropTombstone = db.prepare('DELETE FROM queue_tombstones WHERE name = ?');
    this.locationsOf = db.prepare<[string], { location: string }>('SELECT DISTINCT location FROM queues WHERE project = ?');
    this.allRows = db.prepare<[], RawQueueRow>('SELECT * FROM queues ORDER BY name');
    this.advanceStmt = db.prepare('UPDATE queues SET clock_offset_us = clock_offset_us + ? WHERE name = ?');
    this.dropAllTombstones = db.prepare('DELETE FROM queue_tombstones');
    this.cmekOf = db.prepare<[string], { config: string }>('SELECT config FROM cmek_configs WHERE name = ?');
    this.putCmek = db.prepare('INSERT OR REPLACE INTO cmek_configs (name, config) VALUES (?, ?)');
  }

  /** The queue as stored; shared with the cache, so callers must not mutate it. */
  clearCache(): void {
    this.cache.clear();
  }

  get(name: string): QueueRow | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const raw = this.byName.get(name);
    if (!raw) return undefined;
    const row = fromRaw(raw);
    if (!this.db.inTransaction) this.cache.set(name, row);
    return row;
  }

  listInLocation(project: string, location: string, after: string): QueueRow[] {
    return this.inLocation.all(project, location, after).map(fromRaw);
  }

  all(): QueueRow[] {
    return this.allRows.all().map(fromRaw);
  }

  locations(project: string): string[] {
    return this.locationsOf.all(project).map((r) => r.location);
  }

  put(row: QueueRow): void {
    this.cache.delete(row.name);
    this.upsertRow.run({
      name: row.name,
      project: row.project,
      location: row.location,
      state: row.state,
      config: JSON.stringify(row.config),
      purge_time_us: row.purgeTimeUs,
      iam_policy: row.iamPolicy ? JSON.stringify(row.iamPolicy) : null,
      create_time_us: row.createTimeUs,
      update_time_us: row.updateTimeUs,
    });
  }

  delete(name: string, nowUs: number): void {
    this.cache.delete(name);
    this.deleteRow.run(name);
    this.putTombstone.run(name, nowUs);
  }

  setState(name: string, state: QueueState, nowUs: number): void {
    this.cache.delete(name);
    this.setStateStmt.run(state, nowUs, name);
  }

  setPurgeTime(name: string, purgeUs: number): void {
    this.cache.delete(name);
    this.setPurgeStmt.run(purgeUs, purgeUs, name);
  }

  setPolicy(name: string, policy: Record<string, unknown>): void {
    this.cache.delete(name);
    this.setPolicyStmt.run(JSON.stringify(policy), name);
  }

  advanceClock(name: string, byUs: number): void {
    this.cache.delete(name);
    this.advanceStmt.run(byUs, name);
  }

  deletedAt(name: string): number | undefined {
    return this.tombstoneOf.get(name)?.deleted_us;
  }

  forgetDeleted(name: string): void {
    this.dropTombstone.run(name);
  }

  /** Releases every deleted queue's name at once (test support); returns how many. */
  forgetAllDeleted(): number {
    return this.dropAllTombstones.run().changes;
  }

  /** A location's stored CMEK config (v2beta3; stored, no effect), by its resource name. */
  cmekConfig(name: string): Record<string, unknown> | undefined {
    const row = this.cmekOf.get(name);
    return row ? JSON.parse(row.config) : undefined;
  }

  putCmekConfig(name: string, config: Record<string, unknown>): void {
    this.putCmek.run(name, JSON.stringify(config));
  }
}
