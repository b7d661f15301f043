/**
 * Versioned schema: migration N brings PRAGMA user_version from N-1 to N. Never edit a shipped
 * migration; add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: queues, tasks and the names reserved after deletion.
  `
  CREATE TABLE queues (
    name            TEXT PRIMARY KEY,
    project         TEXT NOT NULL,
    location        TEXT NOT NULL,
    state           TEXT NOT NULL,
    config          TEXT NOT NULL,
    purge_time_us   INTEGER,
    iam_policy      TEXT,
    create_time_us  INTEGER NOT NULL,
    update_time_us  INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX queues_by_location ON queues(project, location, name);

  CREATE TABLE queue_tombstones (
    name        TEXT PRIMARY KEY,
    deleted_us  INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE tasks (
    seq               INTEGER PRIMARY KEY,
    queue             TEXT NOT NULL,
    task_id           TEXT NOT NULL,
    schedule_us       INTEGER NOT NULL,
    create_us         INTEGER NOT NULL,
    dispatch_count    INTEGER NOT NULL DEFAULT 0,
    response_count    INTEGER NOT NULL DEFAULT 0,
    first_dispatch_us INTEGER,
    last_attempt      TEXT,
    lease_until_us    INTEGER,
    payload           BLOB NOT NULL
  );
  CREATE UNIQUE INDEX tasks_by_name ON tasks(queue, task_id);
  CREATE INDEX tasks_by_schedule ON tasks(queue, schedule_us, seq);

  CREATE TABLE task_tombstones (
    queue       TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    expires_us  INTEGER NOT NULL,
    PRIMARY KEY (queue, task_id)
  ) WITHOUT ROWID;
  CREATE INDEX task_tombstones_by_expiry ON task_tombstones(expires_us);

  CREATE TABLE cmek_configs (
    name    TEXT PRIMARY KEY,
    config  TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 2: dispatch. Header counters, per-queue clock offsets, leases, and history of attempts
  // and of finished tasks.
  `
  ALTER TABLE queues ADD COLUMN clock_offset_us INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tasks ADD COLUMN execution_count INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE tasks ADD COLUMN previous_response INTEGER;
  CREATE INDEX tasks_leased ON tasks(lease_until_us) WHERE lease_until_us IS NOT NULL;
  CREATE INDEX tasks_due ON tasks(queue, schedule_us, seq) WHERE lease_until_us IS NULL;

  CREATE TABLE attempts (
    id            INTEGER PRIMARY KEY,
    queue         TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    attempt       INTEGER NOT NULL,
    schedule_us   INTEGER NOT NULL,
    dispatch_us   INTEGER NOT NULL,
    response_us   INTEGER,
    duration_ms   REAL,
    status        INTEGER,
    outcome       TEXT NOT NULL,
    error         TEXT,
    request       TEXT NOT NULL,
    response      TEXT,
    run_task      INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX attempts_by_task ON attempts(queue, task_id, id);
  CREATE INDEX attempts_by_time ON attempts(dispatch_us);

  CREATE TABLE finished_tasks (
    id                INTEGER PRIMARY KEY,
    queue             TEXT NOT NULL,
    task_id           TEXT NOT NULL,
    outcome           TEXT NOT NULL,
    finished_us       INTEGER NOT NULL,
    schedule_us       INTEGER NOT NULL,
    create_us         INTEGER NOT NULL,
    dispatch_count    INTEGER NOT NULL,
    response_count    INTEGER NOT NULL,
    first_dispatch_us INTEGER,
    last_attempt      TEXT,
    payload           BLOB NOT NULL
  );
  CREATE INDEX finished_tasks_by_name ON finished_tasks(queue, task_id);
  CREATE INDEX finished_tasks_by_time ON finished_tasks(finished_us);
  `,
  // 3: the live UI. Tasks waiting for a retry (backing off), so per-queue counts and the timeline's
  // backoff windows are index-only. A first attempt that succeeds never enters it (it is leased,
  // then deleted), so the dispatch hot path pays only for retries.
  `
  CREATE INDEX tasks_retrying ON tasks(queue, schedule_us) WHERE dispatch_count > 0 AND lease_until_us IS NULL;
  `,
  // 4: whether the caller named the task. A generated ID can never be asked for again (such tasks
  // are not de-duplicated), so when dispatch finishes such a task it writes no
  // name reservation. Rows from before this migration count as named: they keep theirs.
  `
  ALTER TABLE tasks ADD COLUMN named INTEGER NOT NULL DEFAULT 1;
  `,
];
