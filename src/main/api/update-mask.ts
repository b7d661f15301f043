import type * as protobuf from 'protobufjs';
import { invalidArgument } from '../core/errors';
import { snakeToCamel } from '../core/proto-json';

/**
 * Update-mask paths arrive in snake_case or lowerCamelCase (the Node REST client forwards what the
 * caller wrote). Each path must name a field of `type`, walking into sub-messages; unknown paths
 * are INVALID_ARGUMENT. Returns the paths in camelCase.
 */
export function normaliseMaskPaths(type: protobuf.Type, paths: string[] | undefined, what = 'update_mask'): string[] {
  const out: string[] = [];
  for (const raw of paths ?? []) {
    for (const path of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
      let current: protobuf.Type | null = type;
      const segments = path.split('.').map((segment) => snakeToCamel(segment));
      for (const segment of segments) {
        const field: protobuf.Field | undefined = current?.fields[segment];
        if (!current || !field) {
          throw invalidArgument(`Invalid ${what} path "${path}": ${type.name} has no field "${path}".`);
        }
        field.resolve();
        current = field.resolvedType && 'fields' in field.resolvedType && !field.map && !field.repeated
          ? (field.resolvedType as protobuf.Type)
          : null;
        if (current && /^\.?google\.protobuf\./.test(current.fullName)) current = null;
      }
      out.push(segments.join('.'));
    }
  }
  return out;
}
