/**
 * The checks every UI command makes of its arguments: they arrive as JSON over IPC or HTTP (GET
 * query strings make every value a string), so required strings, numbers and objects are checked
 * and coerced here.
 */
import { invalidArgument } from '../../core/errors';

export function str(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value) throw invalidArgument(`${field} is required (a string).`);
  return value;
}

export function num(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalidArgument(`${field} must be a number.`);
  return n;
}

export function obj<T>(value: unknown): T {
  return (value && typeof value === 'object' ? value : {}) as T;
}

/** A task reference: `{ queue, id }`, both required. */
export function taskRef(a: unknown): { queue: string; id: string } {
  const r = obj<{ queue: string; id: string }>(a);
  return { queue: str(r.queue, 'queue'), id: str(r.id, 'id') };
}
