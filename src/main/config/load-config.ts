import { mergeQueueConfig } from '../core/queue-config';
import { resolveSettings, type EngineSettings } from '../core/settings';
import { toApiError } from '../core/errors';
import { ConfigError } from './config-error';
import { looksLikeQueueYaml, parseQueueYaml } from './queue-yaml';
import { parseTasklightConfig } from './tasklight-config';
import type { LoadedConfig } from './types';
import { ConfigSource } from './yaml-source';

export { ConfigError };
export type { LoadedConfig };

/**
 * Reads a tasklight.yaml / tasklight.json, or an App Engine queue.yaml (recognised by its top-level
 * `queue:` list), and checks every queue against the engine's own rules, so a bad file stops
 * start-up before anything listens. Throws ConfigError (file:line: field: reason).
 */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env, base: Partial<EngineSettings> = {}): LoadedConfig {
  const src = ConfigSource.read(file);
  return checkConfig(configFromSource(src, env), base);
}

export function parseConfigText(text: string, label: string, env: NodeJS.ProcessEnv = process.env, base: Partial<EngineSettings> = {}): LoadedConfig {
  return checkConfig(configFromSource(ConfigSource.parse(text, label), env), base);
}

function configFromSource(src: ConfigSource, env: NodeJS.ProcessEnv): LoadedConfig {
  if (!looksLikeQueueYaml(src)) return parseTasklightConfig(src);
  const project = env.GOOGLE_CLOUD_PROJECT?.trim() || env.GCLOUD_PROJECT?.trim() || env.CLOUDSDK_CORE_PROJECT?.trim();
  if (!project) {
    throw new ConfigError(src.file, 1, 'queue', 'a queue.yaml names no project: set GOOGLE_CLOUD_PROJECT, or load it from a tasklight.yaml with project: and queueYaml:');
  }
  return parseQueueYaml(src, project, env.TASKLIGHT_LOCATION?.trim() || 'us-central1');
}

/** Runs each queue through the engine's validation (limits, backoff order, ...) with the file's settings. */
function checkConfig(config: LoadedConfig, base: Partial<EngineSettings>): LoadedConfig {
  const settings = resolveSettings({ ...base, ...config.settings });
  for (const spec of config.queues) {
    try {
      mergeQueueConfig(undefined, spec.queue, null, settings, spec.burstSettable);
    } catch (err) {
      const message = toApiError(err).message;
      const field = /\b([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)+)/.exec(message)?.[1];
      const w = spec.where(field ? field.split('.') : []);
      const reason = field && message.startsWith(`${field} `) ? message.slice(field.length + 1) : message;
      throw new ConfigError(config.file, w.line, w.field, reason.replace(/\.$/, ''));
    }
  }
  return config;
}
