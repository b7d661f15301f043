/** What the task table of a queue shows: which tasks, in which order. */
import type { ListTasksArgs, StatusClass, TaskSort, TaskState } from '../../../../shared/contract';

export interface TaskFilters {
  state: 'live' | TaskState | 'finished';
  statusClass: '' | StatusClass;
  host: string;
  search: string;
  sort: TaskSort;
  desc: boolean;
}

export const DEFAULT_FILTERS: TaskFilters = { state: 'live', statusClass: '', host: '', search: '', sort: 'schedule', desc: false };

/** The listTasks arguments for a queue's task table under these filters (paging aside). */
export function listTasksArgs(queue: string, f: TaskFilters): Omit<ListTasksArgs, 'offset' | 'limit'> {
  const finishedOnly = f.state === 'finished' || f.state === 'succeeded' || f.state === 'exhausted';
  const states: TaskState[] | undefined =
    f.state === 'live' ? undefined : f.state === 'finished' ? ['succeeded', 'exhausted'] : [f.state];
  return {
    queue,
    states,
    statusClass: f.statusClass || undefined,
    host: f.host.trim() || undefined,
    search: f.search.trim() || undefined,
    sort: f.sort,
    // Finished tasks read newest first unless flipped.
    desc: (finishedOnly ? !f.desc : f.desc) || undefined,
  };
}
