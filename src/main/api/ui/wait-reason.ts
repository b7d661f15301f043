/**
 * Why a queue or a task is not dispatching right now, as a reason code and as a sentence for
 * people: the queue overview's `queueWhy`, a task's `taskWhy` and `taskWhyText`, together so the
 * reasons and their wording stay one set.
 */
import type { Engine } from '../../core/engine';
import type { QueueRow } from '../../core/store/queue-store';
import type { TaskState, TaskSummary, WaitReason } from '../../../shared/contract';
import { usToMs } from './views';

/** The queue's side of a task's wait reason. */
export interface WhyContext {
  paused: boolean;
  inFlight: number;
  maxConcurrent: number;
  tokens: number;
}

export function taskWhy(state: TaskState, ctx: WhyContext | null): WaitReason {
  switch (state) {
    case 'dispatching':
      return 'dispatching';
    case 'succeeded':
    case 'exhausted':
      return 'idle';
    default:
      if (ctx?.paused) return 'paused';
      if (state === 'scheduled') return 'scheduled';
      if (state === 'backing_off') return 'backing_off';
      if (ctx && ctx.inFlight >= ctx.maxConcurrent) return 'concurrency_limited';
      if (ctx && ctx.tokens < 1) return 'rate_limited';
      return 'ready';
  }
}

/** What a task's wait reason depends on besides its state: the queue's state and dispatch load. */
export function whyContext(engine: Engine, queue: string): WhyContext | null {
  const row = engine.queueRow(queue);
  if (!row) return null;
  const rt = engine.runtime(queue);
  return {
    paused: row.state !== 'RUNNING',
    inFlight: rt?.inFlight ?? 0,
    maxConcurrent: row.config.rateLimits.maxConcurrentDispatches,
    tokens: rt?.tokens ?? 1,
  };
}

export function taskWhyText(s: TaskSummary, ctx: WhyContext | null, queue: QueueRow | undefined, nowUs: number): string {
  const inText = formatDuration(s.scheduleMs - usToMs(nowUs));
  switch (s.why) {
    case 'dispatching':
      return 'Being dispatched: waiting for the handler to answer.';
    case 'paused':
      return 'The queue is paused; Resume it (or Run now) to dispatch.';
    case 'scheduled':
      return `Scheduled: due in ${inText}.`;
    case 'backing_off':
      return `Backing off after ${s.dispatchCount} failed attempt${s.dispatchCount === 1 ? '' : 's'}: next attempt in ${inText}.`;
    case 'concurrency_limited':
      return `Due, but the queue has ${ctx?.inFlight} of ${ctx?.maxConcurrent} dispatches in flight.`;
    case 'rate_limited':
      return `Due, but the queue's token bucket is empty (refills at ${queue?.config.rateLimits.maxDispatchesPerSecond}/s).`;
    case 'ready':
      return 'Due: dispatched as soon as the queue gets to it.';
    default:
      return s.state === 'succeeded' ? 'Succeeded.' : s.state === 'exhausted' ? 'Retries exhausted.' : '';
  }
}

export function queueWhy(
  row: QueueRow,
  counts: Record<TaskState, number>,
  rt: { inFlight: number; tokens: number },
  nowUs: number,
  nextDueMs: number | null,
): { why: WaitReason; whyText: string } {
  const rl = row.config.rateLimits;
  const waiting = counts.due + counts.scheduled + counts.backing_off;
  if (row.state !== 'RUNNING') {
    return { why: 'paused', whyText: waiting ? `Paused: ${waiting} task${waiting === 1 ? '' : 's'} wait for Resume.` : 'Paused.' };
  }
  if (counts.due > 0) {
    if (rt.inFlight >= rl.maxConcurrentDispatches) {
      return { why: 'concurrency_limited', whyText: `Concurrency limited: ${rt.inFlight} of ${rl.maxConcurrentDispatches} in flight; ${counts.due} due tasks wait for a slot.` };
    }
    if (rt.tokens < 1) {
      return {
        why: 'rate_limited',
        whyText: `Rate limited: ${rt.tokens.toFixed(2)} tokens in the bucket (max ${rl.maxBurstSize}), refilling at ${rl.maxDispatchesPerSecond}/s; ${counts.due} due.`,
      };
    }
    return { why: 'ready', whyText: `${counts.due} due, dispatching.` };
  }
  if (counts.dispatching > 0) return { why: 'dispatching', whyText: `${counts.dispatching} in flight.` };
  if (nextDueMs !== null) {
    const inText = formatDuration(nextDueMs - usToMs(nowUs));
    if (counts.scheduled === 0) return { why: 'backing_off', whyText: `Backing off: next retry in ${inText}.` };
    return { why: 'scheduled', whyText: `Nothing due; next task in ${inText}.` };
  }
  return { why: 'idle', whyText: 'Idle: no tasks.' };
}

/** A duration as people say it: 850 ms, 12.5 s, 3 min, 1.5 h, 2 d. */
export function formatDuration(ms: number): string {
  const a = Math.abs(ms);
  if (a < 1000) return `${Math.round(a)} ms`;
  if (a < 60_000) return `${+(a / 1000).toFixed(1)} s`;
  if (a < 3_600_000) return `${Math.round(a / 60_000)} min`;
  if (a < 86_400_000) return `${+(a / 3_600_000).toFixed(1)} h`;
  return `${+(a / 86_400_000).toFixed(1)} d`;
}
