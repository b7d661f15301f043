/**
 * The checks every UI command makes of its arguments: they arrive as JSON over IPC or HTTP (GET
 * query strings make every value a string), so each argument is read through one of these, which
 * refuse a value of the wrong type with INVALID_ARGUMENT naming the field, before anything is read
 * or stored. `null` counts as left out, as in proto3 JSON.
 */
import { invalidArgument } from '../../core/errors';

/** How a wrong value is shown in a message: short, and its type plain. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/** A required, non-empty string. */
export function str(value: unknown, field: string): string {
  if (absent(value) || value === '') throw invalidArgument(`${field} is required (a string).`);
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string, got ${shown(value)}.`);
  return value;
}

/** An optional string; undefined when left out. */
export function optStr(value: unknown, field: string): string | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw invalidArgument(`${field} must be a string, got ${shown(value)}.`);
  return value;
}

/** An optional number; a query string's text ("25") is read as its number. */
export function num(value: unknown, field: string): number | undefined {
  if (absent(value) || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n)) throw invalidArgument(`${field} must be a number, got ${shown(value)}.`);
  return n;
}

/** An optional boolean; a query string's "true" or "false" is read as one. */
export function bool(value: unknown, field: string): boolean | undefined {
  if (absent(value) || value === '') return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidArgument(`${field} must be true or false, got ${shown(value)}.`);
}

/** An optional list of strings; one string (a single query parameter) is a list of one. */
export function strArray(value: unknown, field: string): string[] | undefined {
  if (absent(value)) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) throw invalidArgument(`${field} must be a list of strings, got ${shown(value)}.`);
  list.forEach((v, i) => {
    if (typeof v !== 'string') throw invalidArgument(`${field}[${i}] must be a string, got ${shown(v)}.`);
  });
  return list as string[];
}

/** An optional object (JSON object, not an array); `{}` when left out. */
export function obj<T>(value: unknown, field = 'The arguments'): Partial<T> {
  if (absent(value)) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(`${field} must be a JSON object, got ${shown(value)}.`);
  return value as Partial<T>;
}

/** An optional map of strings to strings (HTTP headers). */
export function strMap(value: unknown, field: string): Record<string, string> | undefined {
  if (absent(value)) return undefined;
  const map = obj<Record<string, unknown>>(value, field);
  for (const [k, v] of Object.entries(map)) {
    if (typeof v !== 'string') throw invalidArgument(`${field}.${k} must be a string, got ${shown(v)}.`);
  }
  return map as Record<string, string>;
}

/** A task reference: `{ queue, id }`, both required. */
export function taskRef(a: unknown): { queue: string; id: string } {
  const r = obj<{ queue: string; id: string }>(a);
  return { queue: str(r.queue, 'queue'), id: str(r.id, 'id') };
}
