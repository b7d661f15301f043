import { isUtf8 } from 'node:buffer';
import * as protobuf from 'protobufjs';
import { camelToSnake } from '../core/proto-json';
import { lookupType } from '../core/protos';

/**
 * What protobufjs's decoder lets through without a word, found in the message's own bytes: a
 * string field that is not valid UTF-8 (the decoder would swap in U+FFFD, so a task could go to
 * another URL than the one sent), an enum number the protos do not define, and a Timestamp or
 * Duration outside the range google/protobuf/timestamp.proto and duration.proto allow. Returns the
 * first problem in Google's wording, naming the field; undefined when there is none. The bytes
 * must already have decoded cleanly.
 */
export function wireProblem(type: protobuf.Type, bytes: Uint8Array): string | undefined {
  try {
    return walkMessage(type, protobuf.Reader.create(bytes), bytes.length, '');
  } catch {
    // The decoder accepted what this walk cannot follow (e.g. a field sent with another wire type); nothing to add.
    return undefined;
  }
}

const LENGTH_DELIMITED = 2;

/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in seconds since the epoch. */
const TIMESTAMP_SECONDS = [-62_135_596_800n, 253_402_300_799n] as const;
/** ±10,000 years. */
const DURATION_SECONDS = 315_576_000_000n;

function walkMessage(type: protobuf.Type, reader: protobuf.Reader, end: number, path: string): string | undefined {
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      reader.skipType(wireType);
      continue;
    }
    field.resolve();
    const fieldPath = path ? `${path}.${snakeName(field)}` : snakeName(field);
    const problem = field.map
      ? walkMapEntry(field, reader, wireType, fieldPath)
      : walkValue(field.type, field.resolvedType, reader, wireType, fieldPath);
    if (problem) return problem;
  }
  return undefined;
}

let times: { timestamp: protobuf.Type; duration: protobuf.Type } | undefined;

/** Compared by identity: a reflection object's fullName is computed on every read. */
function timeTypes(): { timestamp: protobuf.Type; duration: protobuf.Type } {
  return (times ??= { timestamp: lookupType('google.protobuf.Timestamp'), duration: lookupType('google.protobuf.Duration') });
}

const snakeNames = new WeakMap<protobuf.Field, string>();

function snakeName(field: protobuf.Field): string {
  let name = snakeNames.get(field);
  if (name === undefined) snakeNames.set(field, (name = camelToSnake(field.name)));
  return name;
}

function walkMapEntry(field: protobuf.Field, reader: protobuf.Reader, wireType: number, path: string): string | undefined {
  if (wireType !== LENGTH_DELIMITED) {
    reader.skipType(wireType);
    return undefined;
  }
  const keyType = field instanceof protobuf.MapField ? field.keyType : undefined;
  const end = reader.uint32() + reader.pos;
  let key: Uint8Array | undefined;
  let valueAt: { pos: number; wireType: number } | undefined;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && keyType === 'string' && (tag & 7) === LENGTH_DELIMITED) {
      const length = reader.uint32();
      key = reader.buf.subarray(reader.pos, reader.pos + length);
      reader.skip(length);
      if (!isUtf8(key)) return invalidUtf8(path, 'a key');
    } else if (tag >>> 3 === 2) {
      // The value's path names its key, which may come after it on the wire.
      valueAt = { pos: reader.pos, wireType: tag & 7 };
      reader.skipType(tag & 7);
    } else {
      reader.skipType(tag & 7);
    }
  }
  if (!valueAt) return undefined;
  const after = reader.pos;
  reader.pos = valueAt.pos;
  const problem = walkValue(field.type, field.resolvedType, reader, valueAt.wireType, path);
  // Only a refusal needs the key, to name the entry.
  if (problem && key) return problem.replace(`'${path}'`, `'${path}[${JSON.stringify(Buffer.from(key).toString('utf8'))}]'`);
  reader.pos = after;
  return problem;
}

function walkValue(
  scalar: string,
  resolved: protobuf.Type | protobuf.Enum | null,
  reader: protobuf.Reader,
  wireType: number,
  path: string,
): string | undefined {
  if (resolved instanceof protobuf.Enum) return walkEnum(resolved, reader, wireType, path);
  if (wireType !== LENGTH_DELIMITED || (scalar !== 'string' && !(resolved instanceof protobuf.Type))) {
    reader.skipType(wireType);
    return undefined;
  }
  const length = reader.uint32();
  const start = reader.pos;
  reader.skip(length);
  if (scalar === 'string') {
    return isUtf8(reader.buf.subarray(start, start + length)) ? undefined : invalidUtf8(path, 'the value');
  }
  const type = resolved as protobuf.Type;
  if (type === timeTypes().timestamp || type === timeTypes().duration) {
    return checkTime(type, reader.buf.subarray(start, start + length), path);
  }
  const inner = protobuf.Reader.create(reader.buf.subarray(start, start + length));
  return walkMessage(type, inner, length, path);
}

function walkEnum(type: protobuf.Enum, reader: protobuf.Reader, wireType: number, path: string): string | undefined {
  const numbers: number[] = [];
  if (wireType === LENGTH_DELIMITED) {
    // A packed repeated enum.
    const end = reader.uint32() + reader.pos;
    while (reader.pos < end) numbers.push(reader.int32());
  } else if (wireType === 0) {
    numbers.push(reader.int32());
  } else {
    reader.skipType(wireType);
  }
  const unknown = numbers.find((n) => type.valuesById[n] === undefined);
  return unknown === undefined ? undefined : `Invalid value at '${path}' (${typeLabel(type)}), ${unknown}`;
}

/** Reads seconds (field 1) and nanos (field 2) straight from the bytes; both Timestamp and Duration have this shape. */
function checkTime(type: protobuf.Type, bytes: Uint8Array, path: string): string | undefined {
  const reader = protobuf.Reader.create(bytes);
  let seconds = 0n;
  let nanos = 0;
  while (reader.pos < bytes.length) {
    const tag = reader.uint32();
    if (tag === (1 << 3)) seconds = BigInt(reader.int64().toString());
    else if (tag === (2 << 3)) nanos = reader.int32();
    else reader.skipType(tag & 7);
  }
  const isTimestamp = type === timeTypes().timestamp;
  const ok =
    isTimestamp
      ? seconds >= TIMESTAMP_SECONDS[0] && seconds <= TIMESTAMP_SECONDS[1] && nanos >= 0 && nanos <= 999_999_999
      : seconds >= -DURATION_SECONDS &&
        seconds <= DURATION_SECONDS &&
        nanos >= -999_999_999 &&
        nanos <= 999_999_999 &&
        // Seconds and nanos of one duration carry the same sign.
        !(seconds > 0n && nanos < 0) &&
        !(seconds < 0n && nanos > 0);
  if (ok) return undefined;
  const range = isTimestamp ? 'between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z' : 'within ±315576000000s';
  return `Invalid value at '${path}' (${typeLabel(type)}), {seconds: ${seconds}, nanos: ${nanos}}: must be ${range}, with nanos in range.`;
}

function invalidUtf8(path: string, what: string): string {
  return `Invalid value at '${path}' (TYPE_STRING): ${what} is not valid UTF-8.`;
}

function typeLabel(type: protobuf.Type | protobuf.Enum): string {
  return `type.googleapis.com/${type.fullName.replace(/^\./, '')}`;
}
