import { isUtf8 } from 'node:buffer';
import * as protobuf from 'protobufjs';
import type { JSONObject, JSONValue } from 'proto3-json-serializer';
import { invalidArgument } from '../../core/errors';
import {
  camelToSnake,
  encodeJsonMessage,
  findField,
  hasExplicitPresence,
  isObject,
  isZeroValue,
  SCALAR_JSON_MESSAGES,
  toPlainObject,
  walkMessage,
  walkValue,
  WRAPPER_TYPES,
  type Errors,
  type Json,
} from '../../core/proto-json';
import type { ProtoObject } from '../../core/protos';
import { parseJsonText } from '../json-text';
import type { PathParam, Route } from './route-table';

/**
 * A REST call's request message from its path, query string and JSON body, checked the way Google's
 * front end checks them; the JSON itself is core/proto-json.ts's.
 */

export interface RestRequestParts {
  route: Route;
  pathParams: PathParam[];
  query: URLSearchParams;
  body: Buffer | undefined;
}

/** Google system parameters: accepted on every call and never bound to request fields. */
const SYSTEM_PARAMS = new Set([
  'alt',
  'prettyPrint',
  'fields',
  'key',
  'quotaUser',
  'access_token',
  'oauth_token',
  'callback',
  'upload_protocol',
  'uploadType',
  'userIp',
]);

export function isSystemParam(key: string): boolean {
  return key.startsWith('$') || SYSTEM_PARAMS.has(key);
}

/** gax asks `$alt=json;enum-encoding=int`; responses then carry enum numbers. */
export function wantsNumericEnums(query: URLSearchParams): boolean {
  return [...query.getAll('$alt'), ...query.getAll('alt')].some((alt) =>
    alt.split(';').some((part) => part.trim() === 'enum-encoding=int'),
  );
}

/** Request = JSON body per the rule's `body` + query parameters + path variables. */
export function decodeRestRequest(parts: RestRequestParts): ProtoObject {
  const { route } = parts;
  const type = route.requestType;
  const errors: Errors = [];
  const body = parseJsonBody(parts.body);
  let json: JSONObject = {};

  if (route.body === '*') {
    const walked = body === undefined ? {} : walkMessage(type, body, '', errors);
    if (isObject(walked)) json = walked;
  } else if (route.body) {
    const field = findField(type, route.body)!;
    // The Node REST client sends `""` when the body message has nothing but path fields
    // (UpdateQueue with only queue.name); read that as an empty message.
    const empty = body === undefined || (body === '' && field.resolvedType && 'fields' in field.resolvedType);
    const walked = empty ? {} : walkValue(field, body, camelToSnake(field.name), errors);
    if (walked !== undefined) json[field.name] = walked;
  } else if (body !== undefined && !(isObject(body) && Object.keys(body).length === 0)) {
    errors.push('Invalid JSON payload received. This method does not take a request body.');
  }

  bindQuery(type, parts.query, json, errors);

  for (const param of parts.pathParams) {
    setAt(json, resolveFieldNames(type, param.fieldPath), param.value, true);
  }

  if (errors.length) throw invalidArgument(errors.join('\n'));
  return toPlainObject(type, json);
}

/** A response body: proto3 JSON of the message. */
export const encodeRestResponse = encodeJsonMessage;

function parseJsonBody(body: Buffer | undefined): unknown {
  if (!body || body.length === 0) return undefined;
  return parseJsonText(body);
}

// ---- query parameters -------------------------------------------------------------------

/**
 * URLSearchParams turns percent-encoded bytes that are not UTF-8 into U+FFFD without a word, so a
 * task could be stored with another URL than the one sent; the raw query is checked first.
 */
export function checkQueryText(rawQuery: string): void {
  if (!rawQuery.includes('%')) return;
  for (const pair of rawQuery.split('&')) {
    const eq = pair.indexOf('=');
    const [key, value] = eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    if (!percentDecodesToUtf8(key) || !percentDecodesToUtf8(value)) {
      const name = percentDecodesToUtf8(key) ? decodeURIComponent(key.replace(/\+/g, ' ')) : key;
      throw invalidArgument(`Invalid value for query parameter "${name}": not valid UTF-8 once percent-decoded.`);
    }
  }
}

function percentDecodesToUtf8(text: string): boolean {
  if (!text.includes('%')) return true;
  // The request line arrives as one character per byte; %XX stands for one more byte.
  const bytes = text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return isUtf8(Buffer.from(bytes, 'latin1'));
}

function bindQuery(type: protobuf.Type, query: URLSearchParams, json: JSONObject, errors: Errors): void {
  const keys = new Set(query.keys());
  for (const key of keys) {
    if (isSystemParam(key)) continue;
    const chain = resolveQueryPath(type, key);
    if (typeof chain === 'string') {
      errors.push(chain);
      continue;
    }
    const leaf = chain[chain.length - 1];
    const path = chain.map((f) => camelToSnake(f.name)).join('.');
    const raw = query.getAll(key);
    let value: Json;
    if (leaf.repeated) {
      value = raw.map((r, i) => walkValue(leaf, queryScalar(leaf, r), `${path}[${i}]`, errors) ?? null);
    } else {
      const isMask = leaf.resolvedType?.fullName === '.google.protobuf.FieldMask';
      const one = isMask ? raw.join(',') : raw[raw.length - 1];
      value = walkValue(leaf, queryScalar(leaf, one), path, errors);
    }
    if (value === undefined || (!leaf.repeated && !hasExplicitPresence(leaf) && isZeroValue(leaf, value))) continue;
    setAt(json, chain.map((f) => f.name), value, false);
  }
}

/** The field chain a query key names (`options.requestedPolicyVersion`), or Google's refusal text. */
function resolveQueryPath(type: protobuf.Type, key: string): protobuf.Field[] | string {
  const chain: protobuf.Field[] = [];
  let current: protobuf.Type = type;
  const parts = key.split('.');
  for (let i = 0; i < parts.length; i++) {
    const field = findField(current, parts[i]);
    if (!field || field.map || (field.repeated && i < parts.length - 1)) {
      return `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. Field '${parts[i]}' could not be found in request message.`;
    }
    chain.push(field);
    const resolved = field.resolvedType;
    if (i < parts.length - 1) {
      if (!(resolved instanceof protobuf.Type)) {
        return `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. Field '${parts[i + 1]}' could not be found in request message.`;
      }
      current = resolved;
    } else if (resolved instanceof protobuf.Type && !SCALAR_JSON_MESSAGES.has(resolved.fullName)) {
      return `Invalid JSON payload received. Unknown name "${key}": Cannot bind query parameter. '${key}' is a message type. Query parameters can only be bound to primitive types.`;
    }
  }
  return chain;
}

/** Query values are all strings; give bools and enum numbers their JSON type before the walk. */
function queryScalar(field: protobuf.Field, raw: string): JSONValue {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  const scalarType =
    resolved instanceof protobuf.Type && WRAPPER_TYPES.has(resolved.fullName) ? resolved.fields.value.type : field.type;
  if (scalarType === 'bool') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

function resolveFieldNames(type: protobuf.Type, fieldPath: string[]): string[] {
  const names: string[] = [];
  let current: protobuf.Type | null = type;
  for (const part of fieldPath) {
    const field: protobuf.Field = findField(current!, part)!;
    names.push(field.name);
    current = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
  }
  return names;
}

function setAt(json: JSONObject, names: string[], value: JSONValue, override: boolean): void {
  let node = json;
  for (const name of names.slice(0, -1)) {
    if (!isObject(node[name])) node[name] = {};
    node = node[name] as JSONObject;
  }
  const leaf = names[names.length - 1];
  if (override || node[leaf] === undefined) node[leaf] = value;
}

// ---- the walk -----------------------------------------------------------------------------

