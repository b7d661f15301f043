/** Production limits (https://cloud.google.com/tasks/docs/quotas) are the default; a developer may relax them. */
export interface EngineSettings {
  /** How long a deleted or finished task's name stays reserved for de-duplication. */
  taskTombstoneTtlMs: number;
  /** How long a deleted queue's name cannot be re-created. */
  queueTombstoneTtlMs: number;
  /** Lift production caps: 500/s rate, 5,000 concurrency, 30-day horizon, 1 MiB task size, 15 s minimum deadline. */
  liftLimits: boolean;
  /** How far ahead schedule_time may be. */
  scheduleHorizonMs: number;
  /** Largest serialized task. */
  maxTaskBytes: number;
  /** Page tokens expire after this long. */
  pageTokenTtlMs: number;
  /** Completed and exhausted tasks and every attempt stay in history this long. */
  historyRetentionMs: number;
  /** Where App Engine tasks go: the default base URL, and per `service` or `version.service`. */
  appEngineBaseUrl: string;
  appEngineRoutes: Record<string, string>;
  /** Whether queues dispatch at all (off for a store that should only hold tasks). */
  dispatch: boolean;
  /**
   * firebase-admin compatibility (unversioned REST paths only, the ones firebase-admin calls): where a task with
   * an empty URL goes. Per queue (full name → URL) first, else this template with {project},
   * {location} and {queue} filled in (the Firebase Functions emulator's address by default).
   */
  defaultTargetUrls: Record<string, string>;
  functionsEmulatorUrl: string;
  /** Create unknown queues on first use through the unversioned (firebase-admin) path. */
  autoCreateQueues: boolean;
  /** On a graceful stop (Engine.stop), how long attempts in flight may take to be answered before they are interrupted. */
  shutdownGraceMs: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DEFAULT_SETTINGS: EngineSettings = {
  taskTombstoneTtlMs: HOUR,
  queueTombstoneTtlMs: 7 * DAY,
  liftLimits: false,
  scheduleHorizonMs: 30 * DAY,
  maxTaskBytes: 1024 * 1024,
  pageTokenTtlMs: 2 * HOUR,
  historyRetentionMs: 24 * HOUR,
  appEngineBaseUrl: 'http://localhost:8080',
  appEngineRoutes: {},
  dispatch: true,
  defaultTargetUrls: {},
  functionsEmulatorUrl: 'http://127.0.0.1:5001/{project}/{location}/{queue}',
  autoCreateQueues: true,
  shutdownGraceMs: 10_000,
};

export function resolveSettings(partial: Partial<EngineSettings> = {}): EngineSettings {
  return { ...DEFAULT_SETTINGS, ...partial };
}
