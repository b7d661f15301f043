import { invalidArgument } from './errors';
import type { ProtoObject } from './protos';
import { parseLocationName, parseProjectName } from './resource-names';
import type { QueueStore } from './store/queue-store';
import type { WriteBatcher } from './store/write-batcher';

const DEFAULT_LOCATIONS = [
  'us-central1', 'us-east1', 'us-east4', 'us-west1', 'us-west2', 'europe-west1', 'europe-west2',
  'europe-west3', 'asia-east1', 'asia-northeast1', 'asia-south1', 'australia-southeast1',
];

/**
 * Locations (google.cloud.location.Locations) and what is configured per location: the v2beta3
 * CMEK config, stored and handed back with no effect on tasks.
 */
export class Locations {
  constructor(
    private readonly queues: QueueStore,
    private readonly writes: WriteBatcher,
  ) {}

  /** The usual Cloud Tasks locations plus every location a queue of the project lives in. */
  list(name: string): ProtoObject[] {
    const project = parseProjectName(name);
    const ids = new Set([...DEFAULT_LOCATIONS, ...this.queues.locations(project)]);
    return [...ids].sort().map((id) => locationView(project, id));
  }

  get(name: string): ProtoObject {
    const { project, location } = parseLocationName(name, 'name');
    return locationView(project, location);
  }

  getCmekConfig(name: string): ProtoObject {
    const { project, location } = parseCmekName(name);
    return { name: `projects/${project}/locations/${location}/cmekConfig`, ...this.queues.cmekConfig(name) };
  }

  async updateCmekConfig(config: ProtoObject): Promise<ProtoObject> {
    parseCmekName(config?.name);
    await this.writes.run(() => this.queues.putCmekConfig(config.name, { kmsKey: config.kmsKey ?? '' }));
    return this.getCmekConfig(config.name);
  }
}

function parseCmekName(name: string) {
  const parts = (name ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'cmekConfig') {
    throw invalidArgument('CmekConfig name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/cmekConfig".');
  }
  return parseLocationName(parts.slice(0, 4).join('/'), 'name');
}

function locationView(project: string, location: string): ProtoObject {
  return { name: `projects/${project}/locations/${location}`, locationId: location, displayName: location };
}
