import type { Engine } from '../core/engine';
import { toApiError } from '../core/errors';
import { ConfigError } from './config-error';
import type { LoadedConfig } from './types';

/**
 * Creates or updates every declared queue (UpdateQueue is an upsert; without a mask every settable
 * field is replaced, so the file is the whole truth about the queues it names), then pauses or
 * resumes each to match. Running it twice changes nothing the second time. Queues the file does
 * not name are left alone.
 */
export async function applyConfig(engine: Engine, config: LoadedConfig): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  for (const spec of config.queues) {
    try {
      const existed = engine.queueRow(spec.queue.name) !== undefined;
      const view = await engine.updateQueue(spec.queue, null, spec.burstSettable);
      if (existed) updated++;
      else created++;
      if (view.state !== spec.state) await engine.setQueueState(spec.queue.name, spec.state);
    } catch (err) {
      const w = spec.where();
      throw new ConfigError(config.file, w.line, w.field, toApiError(err).message.replace(/\.$/, ''));
    }
  }
  return { created, updated };
}

/**
 * applyConfig, and the config becomes what a reset restores: `tasklight serve --config` and
 * `startTasklight({ config })` promise a test suite these queues, and a reset between tests must
 * not take them away.
 */
export async function declareConfig(engine: Engine, config: LoadedConfig): Promise<{ created: number; updated: number }> {
  const result = await applyConfig(engine, config);
  engine.setResetBaseline(async () => {
    await applyConfig(engine, config);
  });
  return result;
}
