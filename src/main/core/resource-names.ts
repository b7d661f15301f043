import { invalidArgument, type HelpLink } from './errors';

export { shortId } from '../../shared/short-id';

/** Resource names and their grammar (https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks/create: the name field). */
export interface LocationName {
  project: string;
  location: string;
}
export interface QueueName extends LocationName {
  queue: string;
  /** projects/{p}/locations/{l}/queues/{q} */
  full: string;
}
export interface TaskName extends QueueName {
  task: string;
  /** projects/{p}/locations/{l}/queues/{q}/tasks/{t} */
  taskFull: string;
}

const PROJECT = /^[A-Za-z0-9\-.:]+$/;
const LOCATION = /^[a-z0-9-]+$/;
const QUEUE_ID = /^[A-Za-z0-9-]{1,100}$/;
export const TASK_ID = /^[A-Za-z0-9_-]{1,500}$/;

const QUEUE_HELP: HelpLink = {
  description: 'Definition of queue name',
  url: 'https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues#Queue.FIELDS.name',
};
const TASK_HELP: HelpLink = {
  description: 'Definition of task ID',
  url: 'https://cloud.google.com/tasks/docs/reference/rest/v2/projects.locations.queues.tasks#Task.FIELDS.name',
};

export function parseLocationName(name: string, field = 'parent'): LocationName {
  const parts = (name ?? '').split('/');
  if (parts.length !== 4 || parts[0] !== 'projects' || parts[2] !== 'locations' || !PROJECT.test(parts[1]) || !LOCATION.test(parts[3])) {
    throw invalidArgument(
      `${field} must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>", got "${name ?? ''}".`,
    );
  }
  return { project: parts[1], location: parts[3] };
}

export function parseProjectName(name: string, field = 'name'): string {
  const parts = (name ?? '').split('/');
  if (parts.length !== 2 || parts[0] !== 'projects' || !PROJECT.test(parts[1])) {
    throw invalidArgument(`${field} must be formatted: "projects/<PROJECT_ID>", got "${name ?? ''}".`);
  }
  return parts[1];
}

export function parseQueueName(name: string): QueueName {
  const parts = (name ?? '').split('/');
  if (
    parts.length !== 6 ||
    parts[0] !== 'projects' ||
    parts[2] !== 'locations' ||
    parts[4] !== 'queues' ||
    !PROJECT.test(parts[1]) ||
    !LOCATION.test(parts[3]) ||
    !QUEUE_ID.test(parts[5])
  ) {
    throw invalidArgument(
      'Queue name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>".',
      [QUEUE_HELP],
    );
  }
  return { project: parts[1], location: parts[3], queue: parts[5], full: name };
}

export function invalidTaskId(id: string) {
  return invalidArgument(
    `Task ID "${id}" can contain only letters ([A-Za-z]), numbers ([0-9]), hyphens (-), or underscores (_). Task ID must between 1 and 500 characters.`,
    [TASK_HELP],
  );
}

export function parseTaskName(name: string): TaskName {
  const parts = (name ?? '').split('/');
  if (parts.length !== 8 || parts[6] !== 'tasks') {
    throw invalidArgument(
      'Task name must be formatted: "projects/<PROJECT_ID>/locations/<LOCATION_ID>/queues/<QUEUE_ID>/tasks/<TASK_ID>".',
      [TASK_HELP],
    );
  }
  const queue = parseQueueName(parts.slice(0, 6).join('/'));
  if (!TASK_ID.test(parts[7])) throw invalidTaskId(parts[7]);
  return { ...queue, task: parts[7], taskFull: name };
}

export function taskName(queueFull: string, taskId: string): string {
  return `${queueFull}/tasks/${taskId}`;
}
