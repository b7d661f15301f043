import { invalidArgument } from './errors';

/**
 * ListQueues `filter`: one comparison on `state` or `name` with `=`, `!=` or `:` (has), as in
 * the documented example `state: PAUSED`. Anything else is rejected rather than ignored.
 */
export type QueuePredicate = (queue: { name: string; state: string }) => boolean;

const TERM = /^\s*(state|name)\s*(!=|=|:)\s*(?:"([^"]*)"|([^\s"]+))\s*$/;

export function parseQueueFilter(filter: string | undefined): QueuePredicate {
  if (!filter || !filter.trim()) return () => true;
  const m = TERM.exec(filter);
  if (!m) {
    throw invalidArgument(
      `Unsupported filter "${filter}": Tasklight filters on one field, state or name, with =, != or : (e.g. "state: PAUSED").`,
    );
  }
  const [, field, op, quoted, bare] = m;
  const value = quoted ?? bare;
  if (field === 'state' && !['RUNNING', 'PAUSED', 'DISABLED', 'STATE_UNSPECIFIED'].includes(value)) {
    throw invalidArgument(`Invalid state "${value}" in filter; expected RUNNING, PAUSED or DISABLED.`);
  }
  const pick = (q: { name: string; state: string }) => (field === 'state' ? q.state : q.name);
  if (op === '!=') return (q) => pick(q) !== value;
  if (op === '=' || field === 'state') return (q) => pick(q) === value;
  return (q) => pick(q).includes(value);
}
