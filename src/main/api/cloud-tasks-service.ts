import type { Engine } from '../core/engine';
import { unimplemented } from '../core/errors';
import { lookupType, type ProtoObject } from '../core/protos';
import { fromUs } from '../core/proto-time';
import type { RpcImplementation, UnaryHandler } from './rpc';
import { normaliseMaskPaths } from './update-mask';

type Version = 'v2' | 'v2beta3';

const V2BETA3_DEFAULTS = { taskTtl: { seconds: 31 * 86400 }, tombstoneTtl: { seconds: 3600 } };

/** v2beta3 nests queue routing under app_engine_http_queue; the engine keeps v2's flat field. */
function queueIn(version: Version, queue: ProtoObject | undefined): ProtoObject {
  const q = { ...(queue ?? {}) };
  if (version === 'v2beta3' && q.appEngineHttpQueue) {
    if (q.appEngineHttpQueue.appEngineRoutingOverride) q.appEngineRoutingOverride = q.appEngineHttpQueue.appEngineRoutingOverride;
    delete q.appEngineHttpQueue;
  }
  if (version === 'v2' && q.rateLimits) q.rateLimits = { ...q.rateLimits, maxBurstSize: undefined };
  return q;
}

function maskIn(version: Version, paths: string[] | undefined): string[] {
  const normalised = normaliseMaskPaths(lookupType(`google.cloud.tasks.${version}.Queue`), paths);
  if (version === 'v2') return normalised;
  return normalised.flatMap((p) => {
    if (p === 'appEngineHttpQueue') return ['appEngineRoutingOverride'];
    if (p.startsWith('appEngineHttpQueue.')) return [p.slice('appEngineHttpQueue.'.length)];
    return [p];
  });
}

function queueOut(version: Version, queue: ProtoObject, engine: Engine, readMask?: string[]): ProtoObject {
  if (version === 'v2') return queue;
  const q: ProtoObject = { ...V2BETA3_DEFAULTS, type: 'PUSH', ...queue };
  if (q.appEngineRoutingOverride) {
    q.appEngineHttpQueue = { appEngineRoutingOverride: q.appEngineRoutingOverride };
    delete q.appEngineRoutingOverride;
  }
  if (readMask?.includes('stats')) {
    const { tasksCount, oldestScheduleUs } = engine.taskStats(queue.name);
    q.stats = { tasksCount };
    if (oldestScheduleUs !== null) q.stats.oldestEstimatedArrivalTime = fromUs(oldestScheduleUs);
  }
  if (readMask?.length) {
    const keep = new Set(readMask.map((p) => p.split('.')[0]));
    for (const k of Object.keys(q)) if (k !== 'name' && !keep.has(k)) delete q[k];
  }
  return q;
}

function readMaskOf(version: Version, request: ProtoObject): string[] | undefined {
  if (version !== 'v2beta3' || !request.readMask?.paths?.length) return undefined;
  return normaliseMaskPaths(lookupType('google.cloud.tasks.v2beta3.Queue'), request.readMask.paths, 'read_mask');
}

function cloudTasksHandlers(version: Version, engine: Engine): Record<string, UnaryHandler> {
  const out = (q: ProtoObject, readMask?: string[]) => queueOut(version, q, engine, readMask);
  const handlers: Record<string, UnaryHandler> = {
    ListQueues: async (r) => {
      const readMask = readMaskOf(version, r);
      const page = engine.listQueues(r.parent, r.filter, r.pageSize, r.pageToken);
      return { queues: page.queues.map((q) => out(q, readMask)), nextPageToken: page.nextPageToken };
    },
    GetQueue: async (r) => out(engine.getQueue(r.name), readMaskOf(version, r)),
    CreateQueue: async (r) => out(await engine.createQueue(r.parent, queueIn(version, r.queue), version === 'v2beta3')),
    UpdateQueue: async (r) => {
      const mask = r.updateMask?.paths?.length ? maskIn(version, r.updateMask.paths) : null;
      return out(await engine.updateQueue(queueIn(version, r.queue), mask, version === 'v2beta3'));
    },
    DeleteQueue: async (r) => {
      await engine.deleteQueue(r.name);
      return {};
    },
    PurgeQueue: async (r) => out(await engine.purgeQueue(r.name)),
    PauseQueue: async (r) => out(await engine.setQueueState(r.name, 'PAUSED')),
    ResumeQueue: async (r) => out(await engine.setQueueState(r.name, 'RUNNING')),
    GetIamPolicy: async (r) => engine.getIamPolicy(r.resource),
    SetIamPolicy: async (r) => engine.setIamPolicy(r.resource, r.policy, r.updateMask?.paths?.length ? normaliseMaskPaths(lookupType('google.iam.v1.Policy'), r.updateMask.paths) : null),
    TestIamPermissions: async (r) => ({ permissions: engine.testIamPermissions(r.resource, r.permissions) }),
    ListTasks: async (r) => engine.listTasks(r.parent, r.responseView, r.pageSize, r.pageToken),
    GetTask: async (r) => engine.getTask(r.name, r.responseView),
    CreateTask: async (r) => engine.createTask(r.parent, r.task, r.responseView),
    DeleteTask: async (r) => {
      await engine.deleteTask(r.name);
      return {};
    },
    RunTask: async (r) => engine.runTask(r.name, r.responseView),
  };
  if (version === 'v2beta3') {
    handlers.BatchCreateTasks = async () => {
      throw unimplemented('BatchCreateTasks is not supported by Tasklight; call CreateTask for each task.');
    };
    handlers.BatchDeleteTasks = async () => {
      throw unimplemented('BatchDeleteTasks is not supported by Tasklight; call DeleteTask for each task.');
    };
    handlers.GetCmekConfig = async (r) => engine.getCmekConfig(r.name);
    handlers.UpdateCmekConfig = async (r) => engine.updateCmekConfig(r.cmekConfig);
  }
  return handlers;
}

/** Every served RPC, implemented once over the engine; both transports call these. */
export function cloudTasksImplementation(engine: Engine): RpcImplementation {
  const map = new Map<string, UnaryHandler>();
  for (const version of ['v2', 'v2beta3'] as const) {
    for (const [method, handler] of Object.entries(cloudTasksHandlers(version, engine))) {
      map.set(`/google.cloud.tasks.${version}.CloudTasks/${method}`, handler);
    }
  }
  map.set('/google.cloud.location.Locations/ListLocations', async (r) => ({
    locations: engine.listLocations(r.name),
    nextPageToken: '',
  }));
  map.set('/google.cloud.location.Locations/GetLocation', async (r) => engine.getLocation(r.name));
  return map;
}
