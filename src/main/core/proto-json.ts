import * as protobuf from 'protobufjs';
import { fromProto3JSON, toProto3JSON, type JSONObject, type JSONValue } from 'proto3-json-serializer';
import { invalidArgument } from './errors';
import { OBJECT_OPTIONS, type ProtoObject } from './protos';

/**
 * proto3 JSON <-> the plain-object shape of OBJECT_OPTIONS. proto3-json-serializer does the
 * conversion, but it drops unknown keys silently, only knows lowerCamelCase and trusts value
 * types, so every message is first walked against its protobufjs Type here: keys are
 * normalised, and anything Google's front end would refuse is refused with its wording.
 */

export const WRAPPER_TYPES = new Set(
  ['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map(
    (t) => `.google.protobuf.${t}Value`,
  ),
);
/** Message types whose JSON form is a scalar, so they may be bound to a query parameter. */
export const SCALAR_JSON_MESSAGES = new Set([
  '.google.protobuf.Timestamp',
  '.google.protobuf.Duration',
  '.google.protobuf.FieldMask',
  ...WRAPPER_TYPES,
]);

const MAX_DURATION_SECONDS = 315_576_000_000;
const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const UINT32 = [0, 2 ** 32 - 1] as const;
const INT64 = [-(2n ** 63n), 2n ** 63n - 1n] as const;
const UINT64 = [0n, 2n ** 64n - 1n] as const;

export type Errors = string[];
export type Json = JSONValue | undefined;

export function toPlainObject(type: protobuf.Type, json: JSONValue): ProtoObject {
  let message: protobuf.Message | null;
  try {
    message = fromProto3JSON(type, json);
  } catch (err) {
    // What the walk lets through but the serializer still refuses, e.g. an Any of an unknown type.
    throw invalidArgument(`Invalid JSON payload received. ${(err as Error).message}`);
  }
  return message ? type.toObject(message, OBJECT_OPTIONS) : {};
}

/** Decodes one message from proto3 JSON with the same checks as a request body. */
export function decodeJsonMessage(type: protobuf.Type, json: unknown): ProtoObject {
  const errors: Errors = [];
  const walked = walkMessage(type, json, '', errors);
  if (errors.length) throw invalidArgument(errors.join('\n'));
  return toPlainObject(type, walked ?? {});
}

export function encodeJsonMessage(type: protobuf.Type, obj: ProtoObject | null | undefined, numericEnums: boolean): string {
  const message = type.fromObject(obj ?? {});
  dropEmptyMaps(type, message);
  const json = toProto3JSON(message, { numericEnums });
  // An empty body makes gax throw "Received null response"; Empty must read `{}`.
  return JSON.stringify(json ?? {});
}

/** protobufjs gives every message an own `{}` per map field, which toProto3JSON would print. */
function dropEmptyMaps(type: protobuf.Type, message: protobuf.Message): void {
  const record = message as unknown as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    const value = record[field.name];
    if (value === undefined || value === null) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (field.map) {
      if (Object.keys(value as object).length === 0) delete record[field.name];
      else if (nested) for (const v of Object.values(value as object)) dropEmptyMaps(nested, v);
    } else if (nested && !nested.fullName.startsWith('.google.protobuf.')) {
      for (const v of Array.isArray(value) ? value : [value]) dropEmptyMaps(nested, v);
    }
  }
}

export function walkMessage(type: protobuf.Type, value: unknown, path: string, errors: Errors): Json {
  const name = type.fullName;
  if (name === '.google.protobuf.Timestamp') return walkTimestamp(value, path, errors);
  if (name === '.google.protobuf.Duration') return walkDuration(value, path, errors);
  if (name === '.google.protobuf.FieldMask') {
    // Paths stay as sent (snake_case or camelCase); the engine normalises them.
    if (typeof value !== 'string') return invalid(path, typeLabelOf(type), value, errors);
    return isWellFormed(value) ? value : notUtf8(path, typeLabelOf(type), 'the value', errors);
  }
  if (WRAPPER_TYPES.has(name)) return walkValue(type.fields.value, value, path, errors);
  if (name === '.google.protobuf.Value') return value as JSONValue;
  if (name === '.google.protobuf.ListValue') {
    return Array.isArray(value) ? (value as JSONValue) : invalid(path, typeLabelOf(type), value, errors);
  }
  if (name === '.google.protobuf.Struct' || name === '.google.protobuf.Any') {
    return isObject(value) ? value : invalid(path, typeLabelOf(type), value, errors);
  }

  if (!isObject(value)) {
    if (!path) {
      errors.push('Invalid JSON payload received. Root element must be a message.');
      return undefined;
    }
    return invalid(path, typeLabelOf(type), value, errors);
  }

  const out: JSONObject = {};
  const oneofs = new Map<string, string>();
  for (const [key, fieldValue] of Object.entries(value)) {
    const field = findField(type, key);
    if (!field) {
      errors.push(`Invalid JSON payload received. Unknown name "${key}"${at(path)}: Cannot find field.`);
      continue;
    }
    field.resolve();
    const isValueType = field.resolvedType?.fullName === '.google.protobuf.Value';
    // proto3 JSON: null means "default", i.e. absent.
    if (fieldValue === null && !isValueType) continue;
    const fieldPath = path ? `${path}.${camelToSnake(field.name)}` : camelToSnake(field.name);

    if (field.partOf && field.partOf.oneof.length > 1) {
      const previous = oneofs.get(field.partOf.name);
      if (previous && previous !== field.name) {
        errors.push(
          `Invalid JSON payload received. Oneof field '${camelToSnake(field.partOf.name)}' is already set. Cannot set '${camelToSnake(field.name)}'${at(path)}.`,
        );
        continue;
      }
      oneofs.set(field.partOf.name, field.name);
    }

    let walked: Json;
    if (field.map) {
      walked = walkMap(field, fieldValue, fieldPath, errors);
    } else if (field.repeated) {
      if (!Array.isArray(fieldValue)) {
        walked = invalid(fieldPath, fieldTypeLabel(field), fieldValue, errors);
      } else {
        walked = fieldValue.map((el, i) => walkValue(field, el, `${fieldPath}[${i}]`, errors) ?? null);
      }
    } else if (Array.isArray(fieldValue) && !isValueType && field.resolvedType?.fullName !== '.google.protobuf.ListValue') {
      errors.push(
        `Invalid JSON payload received. Unknown name "${key}"${at(path)}: Proto field is not repeating, cannot start list.`,
      );
      continue;
    } else {
      walked = walkValue(field, fieldValue, fieldPath, errors);
      // gRPC never carries a zero scalar without explicit presence; drop it so both transports
      // hand the engine the same object.
      if (walked !== undefined && !hasExplicitPresence(field) && isZeroValue(field, walked)) continue;
    }
    if (walked !== undefined) out[field.name] = walked;
  }
  return out;
}

function walkMap(field: protobuf.Field, value: unknown, path: string, errors: Errors): Json {
  if (!isObject(value)) return invalid(path, fieldTypeLabel(field), value, errors);
  const out: JSONObject = {};
  // Map keys are data (header names), never field names: kept exactly as sent.
  for (const [key, entry] of Object.entries(value)) {
    if (!isWellFormed(key)) {
      notUtf8(path, 'map key', 'a key', errors);
      continue;
    }
    const walked = walkValue(field, entry, `${path}[${JSON.stringify(key)}]`, errors);
    if (walked !== undefined) out[key] = walked;
  }
  return out;
}

/** One value of a field (a repeated element or map value when called per entry). */
export function walkValue(field: protobuf.Field, value: unknown, path: string, errors: Errors): Json {
  field.resolve();
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return walkEnum(resolved, value, path, errors);
  if (resolved instanceof protobuf.Type) return walkMessage(resolved, value, path, errors);
  return walkScalar(field.type, value, path, errors);
}

function walkEnum(type: protobuf.Enum, value: unknown, path: string, errors: Errors): Json {
  if (type.fullName === '.google.protobuf.NullValue') return null;
  if (typeof value === 'string' && Object.hasOwn(type.values, value)) return value;
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(number) && type.valuesById[number] !== undefined) return type.valuesById[number];
  return invalid(path, typeLabelOf(type), value, errors);
}

function walkScalar(scalar: string, value: unknown, path: string, errors: Errors): Json {
  const label = `TYPE_${scalar.toUpperCase()}`;
  switch (scalar) {
    case 'string':
      if (typeof value !== 'string') return invalid(path, label, value, errors);
      return isWellFormed(value) ? value : notUtf8(path, label, 'the value', errors);
    case 'bool':
      return typeof value === 'boolean' ? value : invalid(path, label, value, errors);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return smallInt(value, INT32) ?? invalid(path, label, value, errors);
    case 'uint32':
    case 'fixed32':
      return smallInt(value, UINT32) ?? invalid(path, label, value, errors);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return bigInt(value, INT64) ?? invalid(path, label, value, errors);
    case 'uint64':
    case 'fixed64':
      return bigInt(value, UINT64) ?? invalid(path, label, value, errors);
    case 'double':
    case 'float':
      return floating(value) ?? invalid(path, label, value, errors);
    case 'bytes':
      return base64(value) ?? invalid(path, label, value, errors);
    default:
      return invalid(path, label, value, errors);
  }
}

function integerText(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : undefined;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

function smallInt(value: unknown, [min, max]: readonly [number, number]): number | undefined {
  const n = integerText(value);
  return n !== undefined && n >= BigInt(min) && n <= BigInt(max) ? Number(n) : undefined;
}

/** int64 travels as a decimal string so no precision is lost before protobufjs sees it. */
function bigInt(value: unknown, [min, max]: readonly [bigint, bigint]): string | undefined {
  const n = integerText(value);
  return n !== undefined && n >= min && n <= max ? n.toString() : undefined;
}

function floating(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : undefined;
}

/** Standard or URL-safe base64, padded or not; normalised to standard for the serializer. */
function base64(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([A-Za-z0-9+/\-_]*)(={0,2})$/.exec(value);
  if (!m || m[1].length % 4 === 1) return undefined;
  if (m[2] && (m[1].length + m[2].length) % 4 !== 0) return undefined;
  return m[1].replace(/-/g, '+').replace(/_/g, '/');
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 with any offset, rewritten as UTC `Z` (the serializer reads only that form). */
function walkTimestamp(value: unknown, path: string, errors: Errors): Json {
  const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null;
  if (!m) return invalid(path, 'type.googleapis.com/google.protobuf.Timestamp', value, errors);
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const valid =
    year >= 1 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  if (!valid) return invalid(path, 'type.googleapis.com/google.protobuf.Timestamp', value, errors);
  if (m[9]) {
    const offsetMinutes = (Number(m[10]) * 60 + Number(m[11])) * (m[9] === '-' ? 1 : -1);
    date.setTime(date.getTime() + offsetMinutes * 60_000);
  }
  if (date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) {
    return invalid(path, 'type.googleapis.com/google.protobuf.Timestamp', value, errors);
  }
  const fraction = m[7] ? `.${m[7].padEnd(9, '0')}` : '';
  return date.toISOString().replace(/\.\d{3}Z$/, `${fraction}Z`);
}

function walkDuration(value: unknown, path: string, errors: Errors): Json {
  // The serializer reads only non-negative durations; no Cloud Tasks duration may be negative anyway.
  const m = typeof value === 'string' ? /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value) : null;
  if (!m || Number(m[1]) > MAX_DURATION_SECONDS) {
    return invalid(path, 'type.googleapis.com/google.protobuf.Duration', value, errors);
  }
  return value as string;
}

export function hasExplicitPresence(field: protobuf.Field): boolean {
  return field.resolvedType instanceof protobuf.Type || field.partOf != null;
}

export function isZeroValue(field: protobuf.Field, value: JSONValue): boolean {
  if (field.resolvedType instanceof protobuf.Enum) return field.resolvedType.values[value as string] === 0;
  if (value === '' || value === 0 || value === false) return true;
  return value === '0' && /64$/.test(field.type); // int64 travels as a string
}

// ---- messages in Google's wording ---------------------------------------------------------

function invalid(path: string, typeLabel: string, value: unknown, errors: Errors): undefined {
  errors.push(`Invalid value at '${path}' (${typeLabel}), ${preview(value)}`);
  return undefined;
}

/**
 * A string holding a lone UTF-16 surrogate has no UTF-8 form: it came from invalid UTF-8 bytes in
 * the body (kept as lone surrogates by the REST decoder) or from a `\ud800`-style escape.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function notUtf8(path: string, typeLabel: string, what: string, errors: Errors): undefined {
  errors.push(`Invalid value at '${path}' (${typeLabel}): ${what} is not valid UTF-8.`);
  return undefined;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function at(path: string): string {
  return path ? ` at '${path}'` : '';
}

function typeLabelOf(type: protobuf.Type | protobuf.Enum): string {
  return `type.googleapis.com/${type.fullName.replace(/^\./, '')}`;
}

function fieldTypeLabel(field: protobuf.Field): string {
  const resolved = field.resolvedType;
  return resolved ? typeLabelOf(resolved) : `TYPE_${field.type.toUpperCase()}`;
}

export function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function findField(type: protobuf.Type, name: string): protobuf.Field | undefined {
  // hasOwn: `constructor` or `__proto__` in a JSON body must not find Object.prototype members.
  if (Object.hasOwn(type.fields, name)) return type.fields[name];
  const camel = snakeToCamel(name);
  return camel !== name && Object.hasOwn(type.fields, camel) ? type.fields[camel] : undefined;
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
