import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TaskSummary } from '../../../../shared/contract';
import { StateBadge, StatusBadge, WhyBadge } from '../../components/Badges';
import { Time } from '../../components/Time';
import { VirtualList } from '../../components/VirtualList';
import { useVersion } from '../../hooks/useCommand';
import { ROW_HEIGHT } from '../../lib/preferences';
import { api, hrefOf, useStore } from '../../store';
import { listTasksArgs, type TaskFilters } from './task-filters';

const PAGE = 100;
const REFRESH_MS = 400;

/**
 * The task table: a windowed list over the server's pages (offset/limit), refetched when the
 * queue's tasks change (at most every 400 ms) and while scrolling, so 100,000 tasks cost 40 rows.
 * It keeps its own page cache, so it watches the queue's version (useVersion) rather than calling
 * one command through useCommand.
 */
export function TaskTable({ queue, filters, offsetMs }: { queue: string; filters: TaskFilters; offsetMs: number }) {
  const version = useVersion({ queue });
  // The total of the filters it was counted for: other filters have no total yet.
  const [counted, setCounted] = useState<{ key: string; total: number } | null>(null);
  const [, setRender] = useState(0);
  const pages = useRef(new Map<number, TaskSummary[]>());
  const fresh = useRef(new Set<number>());
  const inflight = useRef(new Set<number>());
  const range = useRef<[number, number]>([0, 40]);
  const key = useMemo(() => JSON.stringify(listTasksArgs(queue, filters)), [queue, filters]);
  const keyRef = useRef(key);
  const total = counted?.key === key ? counted.total : null;
  const lastFetch = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const fetchPage = useCallback(
    async (page: number) => {
      if (inflight.current.has(page)) return;
      inflight.current.add(page);
      const k = keyRef.current;
      try {
        const res = await api().call('listTasks', { ...JSON.parse(k), offset: page * PAGE, limit: PAGE });
        if (k !== keyRef.current) return;
        pages.current.set(page, res.tasks);
        fresh.current.add(page);
        setCounted({ key: k, total: res.total });
        setRender((n) => n + 1);
      } catch {
        /* the next change or scroll retries */
      } finally {
        inflight.current.delete(page);
      }
    },
    [],
  );

  const ensure = useCallback(() => {
    const [first, last] = range.current;
    const p0 = Math.floor(first / PAGE);
    const p1 = Math.floor(Math.max(first, last) / PAGE);
    for (let p = p0; p <= p1; p++) if (!fresh.current.has(p)) void fetchPage(p);
  }, [fetchPage]);

  // New filters: start over.
  useEffect(() => {
    keyRef.current = key;
    pages.current.clear();
    fresh.current.clear();
    lastFetch.current = performance.now();
    ensure();
  }, [key, ensure]);

  // Tasks changed: everything shown is stale; refetch what is in view, throttled.
  useEffect(() => {
    if (!version) return;
    const due = lastFetch.current + REFRESH_MS - performance.now();
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      lastFetch.current = performance.now();
      fresh.current.clear();
      ensure();
    }, Math.max(0, due));
    return () => clearTimeout(timer.current);
  }, [version, ensure]);

  const onRange = useCallback(
    (first: number, last: number) => {
      range.current = [first, last];
      ensure();
    },
    [ensure],
  );

  const rowHeight = useStore((s) => ROW_HEIGHT[s.prefs.density]);
  const rowAt = (i: number): TaskSummary | undefined => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE];
  const count = total ?? 0;

  return (
    <div className="task-table">
      <div className="table-meta muted" aria-live="polite">
        {total === null ? 'Loading…' : `${total.toLocaleString()} task${total === 1 ? '' : 's'}`}
      </div>
      <VirtualList
        label="Tasks"
        count={count}
        rowHeight={rowHeight}
        onRange={onRange}
        colCount={8}
        className="tasks"
        header={
          <div className="trow thead" role="row" aria-rowindex={1}>
            <span role="columnheader">Task</span>
            <span role="columnheader">State</span>
            <span role="columnheader">Request</span>
            <span role="columnheader">Scheduled</span>
            <span role="columnheader">Attempts</span>
            <span role="columnheader">Last status</span>
            <span role="columnheader">Waiting because</span>
            <span role="columnheader">Created</span>
          </div>
        }
        renderRow={(i) => {
          const t = rowAt(i);
          if (!t) {
            return (
              <div key={i} className="trow loading" role="row" aria-rowindex={i + 2}>
                <span role="cell" className="skeleton" />
              </div>
            );
          }
          return (
            <div key={i} className={`trow state-row-${t.state}`} role="row" aria-rowindex={i + 2}>
              <span role="cell" className="mono ellipsis">
                <a href={hrefOf({ screen: 'task', queue, id: t.id })} aria-label={`Open task ${t.id}`} data-nav-row="">
                  {t.id}
                </a>
              </span>
              <span role="cell">
                <StateBadge state={t.state} />
              </span>
              <span role="cell" className="ellipsis" title={`${t.method} ${t.url}`}>
                <span className="method">{t.method}</span> {t.url}
              </span>
              <span role="cell">
                <Time ms={t.finishedMs ?? t.scheduleMs} offsetMs={t.finishedMs ? 0 : offsetMs} />
              </span>
              <span role="cell" className="num">
                {t.dispatchCount}
              </span>
              <span role="cell">
                <StatusBadge status={t.lastStatus} cls={t.lastClass} text={t.lastMessage} />
              </span>
              <span role="cell">{t.state === 'succeeded' || t.state === 'exhausted' ? <span className="muted">—</span> : <WhyBadge why={t.why} />}</span>
              <span role="cell">
                <Time ms={t.createMs} />
              </span>
            </div>
          );
        }}
      />
    </div>
  );
}
