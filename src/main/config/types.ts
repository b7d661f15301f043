import type { ProtoObject } from '../core/protos';
import type { EngineSettings } from '../core/settings';

/** One queue a config file declares, ready for Engine.updateQueue. */
export interface QueueSpec {
  /** A v2 Queue in the engine's plain-object shape, `name` in full form. */
  queue: ProtoObject;
  /** Paused or running after start-up (a queue paused in the UI is resumed unless the file says PAUSED). */
  state: 'RUNNING' | 'PAUSED';
  /** queue.yaml's bucket_size and the config's rateLimits.maxBurstSize set the burst, as v2beta3 may. */
  burstSettable: boolean;
  /** Lift production caps for this queue alone (`liftLimits: true`). */
  liftLimits: boolean;
  /** Where its tasks without a URL go (firebase-admin compatibility). */
  defaultTargetUrl?: string;
  /** `file:line` and field of the declaration, for errors found later (validation, start-up). */
  where(path?: string[]): { line: number | undefined; field: string };
}

export interface LoadedConfig {
  /** The file as the user named it. */
  file: string;
  settings: Partial<EngineSettings>;
  queues: QueueSpec[];
}
