/**
 * Views that show what a contract command returns, kept fresh. `useCommand` calls the command, and
 * calls it again when its arguments change, when the queue or task the view shows changed (the
 * versions store.ts bumps on each live update), or on `reload()`. `useVersion` is that version
 * alone, for a view that fetches in its own way (the task table's pages).
 */
import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import type { ArgsOf, CommandName, ResultOf } from '../../../shared/contract';
import { api, useStore } from '../store';

/** What a view shows: a queue (by full name), or one task of it. */
export interface Watched {
  queue: string;
  id?: string;
}

/**
 * A number that moves when the watched queue's tasks change or, for a task, when that task changes;
 * 0 until a change is seen. A task counts its queue's changes until an update names the task
 * itself: a purge or a reset names only the queue.
 */
export function useVersion(watched: Watched | undefined): number {
  const queueVersion = useStore((s) => (watched ? (s.versions[watched.queue] ?? 0) : 0));
  const taskVersion = useStore((s) => (watched?.id !== undefined ? (s.taskVersions[`${watched.queue}\n${watched.id}`] ?? 0) : 0));
  return taskVersion || queueVersion;
}

export interface CommandOptions {
  /** Call again when this queue or task changes. */
  watch?: Watched;
  /** Call again only when the version crosses a multiple of this: for reads too heavy for every change. */
  versionStep?: number;
  /** Wait this long (ms) after the arguments or the version moved, so a burst of changes makes one call. */
  delayMs?: number;
}

export interface CommandResult<K extends CommandName> {
  /** The latest answer; it stays while the next call runs, and when that call fails. */
  data: ResultOf<K> | null;
  /** Why the latest call failed; null once one succeeds. */
  error: Error | null;
  /** Calls the command again now. */
  reload: () => void;
}

/**
 * Calls `command` with `args` and keeps its answer. Arguments compare by value (JSON), so an
 * object literal per render is fine. An answer to arguments that have since changed is dropped.
 */
export function useCommand<K extends CommandName>(command: K, args: ArgsOf<K>, options: CommandOptions = {}): CommandResult<K> {
  const { watch, versionStep = 1, delayMs = 0 } = options;
  const version = Math.floor(useVersion(watch) / versionStep);
  const argsKey = JSON.stringify(args ?? null);
  const [reloads, setReloads] = useState(0);
  const [state, setState] = useState<{ data: ResultOf<K> | null; error: Error | null }>({ data: null, error: null });
  const call = useEffectEvent(() => api().call(command, args));

  useEffect(() => {
    let live = true;
    const fetch = () =>
      call().then(
        (data) => live && setState({ data, error: null }),
        (err: unknown) => live && setState((s) => ({ data: s.data, error: err instanceof Error ? err : new Error(String(err)) })),
      );
    if (delayMs <= 0) {
      void fetch();
      return () => {
        live = false;
      };
    }
    const timer = setTimeout(fetch, delayMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [command, argsKey, version, reloads, delayMs]);

  const reload = useCallback(() => setReloads((n) => n + 1), []);
  return { data: state.data, error: state.error, reload };
}
