import type { Engine } from '../../core/engine';
import { notFound } from '../../core/errors';
import { waitingTaskState } from '../../core/task-state';
import type { TimelineArgs, TimelineData } from '../../../shared/contract';
import { statusClassOf, usToMs } from './views';

/** What the timeline draws in a window of queue time: tasks waiting, attempts, and backoffs between them. */
export function timeline(engine: Engine, args: TimelineArgs): TimelineData {
  const q = args.queue;
  if (!engine.queueRow(q)) throw notFound('Queue does not exist.');
  const nowUs = engine.queueNowUs(q);
  const fromUs = Math.round(args.fromMs * 1000);
  const toUsV = Math.round(args.toMs * 1000);
  const limit = Math.max(1, Math.min(10_000, args.limit ?? 2000));
  const { future: futureRows, futureTotal, buckets, attempts: attemptRows, waiting } = engine.reads.timelineRows(q, fromUs, toUsV, limit);
  const backoff: TimelineData['backoff'] = [];
  const byTask = new Map<string, typeof attemptRows>();
  for (const a of attemptRows) {
    let list = byTask.get(a.task_id);
    if (!list) byTask.set(a.task_id, (list = []));
    list.push(a);
  }
  for (const [id, list] of byTask) {
    list.sort((x, y) => x.id - y.id);
    for (let i = 1; i < list.length; i++) {
      if (list[i].run_task) continue;
      const prev = list[i - 1];
      backoff.push({ id, fromMs: usToMs(prev.response_us ?? prev.dispatch_us), toMs: usToMs(list[i].schedule_us) });
    }
  }
  for (const w of waiting) {
    let startMs = usToMs(w.schedule_us);
    try {
      const t = JSON.parse(w.last_attempt ?? '{}').responseTime;
      if (t) startMs = (t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6;
    } catch {
      /* keep */
    }
    if (startMs <= args.toMs) backoff.push({ id: w.task_id, fromMs: startMs, toMs: usToMs(w.schedule_us) });
  }
  return {
    queue: q,
    nowMs: usToMs(nowUs),
    fromMs: args.fromMs,
    toMs: args.toMs,
    future: futureRows.map((r) => ({
      id: r.task_id,
      atMs: usToMs(r.schedule_us),
      state: waitingTaskState(r, nowUs),
    })),
    futureTotal,
    buckets,
    attempts: attemptRows.map((a) => ({
      id: a.task_id,
      attemptId: a.id,
      atMs: usToMs(a.dispatch_us),
      status: a.status,
      statusClass: statusClassOf(a.status),
    })),
    backoff,
  };
}
