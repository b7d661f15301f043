import type { Engine } from '../core/engine';
import type { HttpHandler } from './http-server';
import { parseJsonText } from './json-text';

const ENQUEUE_PATH = /^\/projects\/([^/]+)\/locations\/([^/]+)\/queues\/([^/]+)\/tasks$/;

/**
 * firebase-admin's TaskQueue (https://firebase.google.com/docs/functions/task-functions) calls the unversioned REST paths and, with
 * CLOUD_TASKS_EMULATOR_HOST set, sends `httpRequest.url: ""` for the emulator to resolve. On those
 * paths only, before the REST handler sees an enqueue, this:
 *   - creates the queue when it does not exist and `autoCreateQueues` is on (the Firebase
 *     emulator creates task queues when it loads functions);
 *   - fills an empty URL with the queue's `defaultTargetUrls` entry, else `functionsEmulatorUrl`
 *     with {project}, {location} and {queue} filled in.
 * /v2 and /v2beta3 keep production's behaviour (an empty URL is INVALID_ARGUMENT; unknown queues
 * are NOT_FOUND), and the engine stays a faithful Cloud Tasks: the compatibility lives in the one
 * transport path that needs it.
 */
export function withFirebaseCompat(engine: Engine, rest: HttpHandler): HttpHandler {
  return async (req, res, body) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const match = (req.method ?? '').toUpperCase() === 'POST' ? ENQUEUE_PATH.exec(path) : null;
    if (!match) return rest(req, res, body);
    const [, project, location, queueId] = match.map((s) => (s === undefined ? s : decodeURIComponent(s)));
    const queueName = `projects/${project}/locations/${location}/queues/${queueId}`;
    let parsed: unknown;
    try {
      // The REST parser: refuses deep nesting before parsing, and keeps invalid UTF-8 visible.
      parsed = body && body.length ? parseJsonText(body) : undefined;
    } catch {
      return rest(req, res, body); // the REST handler reports the bad JSON or the nesting
    }
    const settings = engine.settings;
    let queue = engine.queueRow(queueName);
    if (!queue && settings.autoCreateQueues) {
      try {
        await engine.updateQueue({ name: queueName }, null);
        queue = engine.queueRow(queueName);
      } catch {
        // An invalid or recently deleted name: let CreateTask report it as usual.
      }
    }
    const http = httpRequestOf(parsed);
    if (queue && http && !http.url && !queue.config.httpTarget?.uriOverride?.host) {
      http.url = (settings.defaultTargetUrls[queueName] ?? settings.functionsEmulatorUrl)
        .replaceAll('{project}', project!)
        .replaceAll('{location}', location!)
        .replaceAll('{queue}', queueId!);
      body = Buffer.from(JSON.stringify(parsed), 'utf8');
    }
    return rest(req, res, body);
  };
}

/** The enqueue body's `task.httpRequest` (or `http_request`) object, if it has one. */
function httpRequestOf(body: unknown): Record<string, unknown> | undefined {
  if (!isObject(body) || !isObject(body.task)) return undefined;
  const http = body.task.httpRequest ?? body.task.http_request;
  return isObject(http) ? http : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
