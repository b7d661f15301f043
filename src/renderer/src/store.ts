import { create } from 'zustand';
import type { QueueSummary, ServerInfo, StoreHealthView, TasklightApi, UiUpdate } from '../../shared/contract';
import { showTimesIn } from './lib/time';
import { applyDisplay, loadPreferences, savePreferences, type Preferences } from './lib/preferences';

export type Route =
  | { screen: 'queues' }
  | { screen: 'queue'; queue: string; tab: QueueTab }
  | { screen: 'task'; queue: string; id: string }
  | { screen: 'start' };

/** A queue's tabs, in display order, with their labels; the route accepts exactly these. */
export const QUEUE_TABS = [
  ['tasks', 'Tasks'],
  ['timeline', 'Timeline'],
  ['retry', 'Retry policy'],
  ['stats', 'Handler stats'],
  ['names', 'Reserved names'],
] as const;

export type QueueTab = (typeof QUEUE_TABS)[number][0];

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

interface State {
  api: TasklightApi | null;
  info: ServerInfo | null;
  queues: QueueSummary[];
  queuesLoaded: boolean;
  connection: 'open' | 'connecting';
  /** The store's health from the live updates (a full disk shows a banner). */
  health: StoreHealthView;
  /** Bumped per queue whenever its tasks changed; views refetch on change. */
  versions: Record<string, number>;
  /** Tasks named in updates, with the version at which they changed. */
  taskVersions: Record<string, number>;
  /** Bumped on every update (for views that refetch on anything). */
  tick: number;
  now: number;
  route: Route;
  toasts: Toast[];
  createTaskFor: string | null;
  prefs: Preferences;
  /** Which keyboard overlay is open, if any. */
  overlay: 'palette' | 'shortcuts' | null;
}

const storage = typeof localStorage === 'undefined' ? undefined : localStorage;

export const useStore = create<State>(() => ({
  api: null,
  info: null,
  queues: [],
  queuesLoaded: false,
  connection: 'connecting',
  health: { status: 'ok' },
  versions: {},
  taskVersions: {},
  tick: 0,
  now: Date.now(),
  route: parseHash(typeof location === 'undefined' ? '' : location.hash),
  toasts: [],
  createTaskFor: null,
  prefs: loadPreferences(storage),
  overlay: null,
}));

/** Applies the saved (or default) preferences to the page; called once at start. */
export function applyPreferences(prefs: Preferences = useStore.getState().prefs): void {
  showTimesIn(prefs.timeZone);
  if (typeof document !== 'undefined') applyDisplay(document.documentElement, prefs);
}

export function setPreferences(change: Partial<Preferences>): void {
  const prefs = { ...useStore.getState().prefs, ...change };
  savePreferences(storage, prefs);
  applyPreferences(prefs);
  useStore.setState({ prefs });
}

export function api(): TasklightApi {
  const a = useStore.getState().api;
  if (!a) throw new Error('Tasklight API not ready');
  return a;
}

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] === 'queue' && parts[1]) {
    const tab = QUEUE_TABS.find(([id]) => id === parts[2])?.[0] ?? 'tasks';
    return { screen: 'queue', queue: parts[1], tab };
  }
  if (parts[0] === 'task' && parts[1] && parts[2]) return { screen: 'task', queue: parts[1], id: parts[2] };
  if (parts[0] === 'start') return { screen: 'start' };
  return { screen: 'queues' };
}

export function hrefOf(route: Route): string {
  switch (route.screen) {
    case 'queue':
      return `#/queue/${encodeURIComponent(route.queue)}${route.tab === 'tasks' ? '' : `/${route.tab}`}`;
    case 'task':
      return `#/task/${encodeURIComponent(route.queue)}/${encodeURIComponent(route.id)}`;
    case 'start':
      return '#/start';
    default:
      return '#/';
  }
}

export function navigate(route: Route): void {
  const href = hrefOf(route);
  if (location.hash !== href) location.hash = href;
  else useStore.setState({ route });
}

let toastId = 0;
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const t = { id: ++toastId, kind, text };
  useStore.setState((s) => ({ toasts: [...s.toasts.slice(-3), t] }));
  setTimeout(() => useStore.setState((s) => ({ toasts: s.toasts.filter((x) => x.id !== t.id) })), kind === 'error' ? 8000 : 3500);
}

/** Runs a command; errors become a toast. Returns undefined on failure. */
export async function run<T>(fn: () => Promise<T>, done?: string): Promise<T | undefined> {
  try {
    const value = await fn();
    if (done) toast(done);
    return value;
  } catch (err) {
    toast((err as Error).message || String(err), 'error');
    return undefined;
  }
}

export function applyUpdate(update: UiUpdate): void {
  useStore.setState((s) => {
    const versions = { ...s.versions };
    const taskVersions = update.reset ? {} : { ...s.taskVersions };
    const tick = s.tick + 1;
    if (update.reset || update.tasksTruncated) for (const q of s.queues) versions[q.name] = tick;
    for (const q of update.changedQueues) versions[q] = tick;
    for (const t of update.changedTasks) taskVersions[`${t.queue}\n${t.id}`] = tick;
    return {
      queues: update.queues ?? s.queues,
      queuesLoaded: s.queuesLoaded || !!update.queues,
      versions,
      taskVersions,
      tick,
      now: Date.now(),
      health: update.health ?? s.health,
    };
  });
}

export async function start(a: TasklightApi): Promise<void> {
  useStore.setState({ api: a });
  window.addEventListener('hashchange', () => useStore.setState({ route: parseHash(location.hash) }));
  setInterval(() => useStore.setState({ now: Date.now() }), 1000);
  a.onConnection?.((connection) => useStore.setState({ connection }));
  a.subscribe(applyUpdate);
  const [info, queues] = await Promise.all([a.call('serverInfo', undefined), a.call('listQueues', undefined)]);
  useStore.setState({ info, queues, queuesLoaded: true });
}

export async function refreshQueues(): Promise<void> {
  const queues = await api().call('listQueues', undefined);
  useStore.setState({ queues, queuesLoaded: true });
}
