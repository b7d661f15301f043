import { camelToSnake, findField, snakeToCamel } from '../../core/proto-json';
import type * as protobuf from 'protobufjs';
import { invalidArgument } from '../../core/errors';
import { methodPath, servedServices } from '../rpc';

/**
 * REST routes derived from the protos' google.api.http rules, so a route exists exactly when
 * the proto declares it. Path-template grammar (google/api/http.proto):
 *   Template = "/" Segments [ ":" Verb ] ; Segment = "*" | "**" | LITERAL | "{" FieldPath [ "=" Segments ] "}"
 */

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

type TemplateSegment = { kind: 'literal'; value: string } | { kind: 'single' } | { kind: 'multi' };

interface TemplateVariable {
  /** Proto field names, as written in the template (`queue.name`, `cmek_config.name`). */
  fieldPath: string[];
  /** Template segments [start, end) the variable spans. */
  start: number;
  end: number;
}

export interface PathTemplate {
  segments: TemplateSegment[];
  variables: TemplateVariable[];
  verb?: string;
}

export interface Route {
  httpMethod: HttpMethod;
  /** The template as served, e.g. `/v2/{name=projects/*\/locations/*\/queues/*}:run`. */
  pattern: string;
  template: PathTemplate;
  /** gRPC method path, the key into RpcImplementation. */
  methodPath: string;
  requestType: protobuf.Type;
  responseType: protobuf.Type;
  /** The rule's `body`: '' (none), '*' (request minus path fields) or a top-level proto field name. */
  body: string;
}

export interface PathParam {
  fieldPath: string[];
  value: string;
}

export type RouteMatch =
  | { kind: 'found'; route: Route; pathParams: PathParam[] }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'no-route' };

export interface RouteTable {
  routes: readonly Route[];
  /** True when the path's first segment belongs to the REST surface (`v2`, `v2beta3`, `v1`, `projects`). */
  ownsPath(rawPath: string): boolean;
  match(httpMethod: string, rawPath: string): RouteMatch;
}

/** firebase-admin calls `/projects/...` without a version; those mean the GA service. */
const UNVERSIONED_SERVICE = 'google.cloud.tasks.v2.CloudTasks';
const LOCATIONS_SERVICE = 'google.cloud.location.Locations';
const HTTP_METHODS: HttpMethod[] = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];

export function parsePathTemplate(pattern: string): PathTemplate {
  if (!pattern.startsWith('/')) throw new Error(`path template must start with '/': ${pattern}`);
  let rest = pattern.slice(1);
  let verb: string | undefined;
  // The verb follows the last '}' or '/', never a ':' inside a variable.
  const lastBoundary = Math.max(rest.lastIndexOf('}'), rest.lastIndexOf('/'));
  const colon = rest.indexOf(':', lastBoundary + 1);
  if (colon >= 0) {
    verb = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];
  let i = 0;
  while (i <= rest.length) {
    if (rest[i] === '{') {
      const close = rest.indexOf('}', i);
      if (close < 0) throw new Error(`unclosed variable in ${pattern}`);
      const inner = rest.slice(i + 1, close);
      const eq = inner.indexOf('=');
      const fieldPath = (eq < 0 ? inner : inner.slice(0, eq)).split('.');
      const sub = eq < 0 ? '*' : inner.slice(eq + 1);
      const start = segments.length;
      for (const part of sub.split('/')) segments.push(parseSegment(part, pattern));
      variables.push({ fieldPath, start, end: segments.length });
      i = close + 1;
    } else {
      let end = rest.indexOf('/', i);
      if (end < 0) end = rest.length;
      segments.push(parseSegment(rest.slice(i, end), pattern));
      i = end;
    }
    if (i < rest.length && rest[i] !== '/') throw new Error(`unexpected '${rest[i]}' in ${pattern}`);
    i += 1;
  }
  return { segments, variables, verb };
}

function parseSegment(text: string, pattern: string): TemplateSegment {
  if (text === '*') return { kind: 'single' };
  if (text === '**') return { kind: 'multi' };
  if (!text || /[{}=*]/.test(text)) throw new Error(`bad segment '${text}' in ${pattern}`);
  return { kind: 'literal', value: text };
}

export function formatPathTemplate(t: PathTemplate): string {
  const text = (s: TemplateSegment) => (s.kind === 'literal' ? s.value : s.kind === 'single' ? '*' : '**');
  const parts: string[] = [];
  let i = 0;
  while (i < t.segments.length) {
    const v = t.variables.find((x) => x.start === i);
    if (v) {
      parts.push(`{${v.fieldPath.join('.')}=${t.segments.slice(v.start, v.end).map(text).join('/')}}`);
      i = v.end;
    } else {
      parts.push(text(t.segments[i]));
      i += 1;
    }
  }
  return `/${parts.join('/')}${t.verb ? `:${t.verb}` : ''}`;
}

/** Matches decoded path segments; returns, per template segment, the [from, to) path range it took. */
function matchSegments(tpl: TemplateSegment[], path: string[]): Array<[number, number]> | null {
  const spans: Array<[number, number]> = [];
  const go = (ti: number, pi: number): boolean => {
    if (ti === tpl.length) return pi === path.length;
    const seg = tpl[ti];
    if (seg.kind === 'multi') {
      // `**` takes zero or more segments; try the longest first (it is normally last).
      for (let to = path.length; to >= pi; to--) {
        spans[ti] = [pi, to];
        if (go(ti + 1, to)) return true;
      }
      return false;
    }
    if (pi >= path.length || path[pi] === '') return false;
    if (seg.kind === 'literal' && seg.value !== path[pi]) return false;
    spans[ti] = [pi, pi + 1];
    return go(ti + 1, pi + 1);
  };
  return go(0, 0) ? spans : null;
}

function literalCount(t: PathTemplate): number {
  return t.segments.filter((s) => s.kind === 'literal').length;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalidArgument(`Invalid percent-encoding in URL path segment "${raw}".`);
  }
}

interface HttpRuleOption {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  custom?: { kind: string; path: string };
  body?: string;
  additional_bindings?: HttpRuleOption | HttpRuleOption[];
  additionalBindings?: HttpRuleOption | HttpRuleOption[];
}

/** Every binding of a method: the primary rule and its additional_bindings. */
export function httpBindings(method: protobuf.Method): Array<{ httpMethod: HttpMethod; pattern: string; body: string }> {
  const rule = httpRuleOf(method);
  if (!rule) return [];
  const out: Array<{ httpMethod: HttpMethod; pattern: string; body: string }> = [];
  const visit = (r: HttpRuleOption) => {
    for (const m of HTTP_METHODS) {
      const pattern = r[m.toLowerCase() as 'get'];
      if (typeof pattern === 'string') out.push({ httpMethod: m, pattern, body: r.body ?? '' });
    }
    if (r.custom && HTTP_METHODS.includes(r.custom.kind.toUpperCase() as HttpMethod)) {
      out.push({ httpMethod: r.custom.kind.toUpperCase() as HttpMethod, pattern: r.custom.path, body: r.body ?? '' });
    }
    const extra = r.additional_bindings ?? r.additionalBindings;
    for (const b of Array.isArray(extra) ? extra : extra ? [extra] : []) visit(b);
  };
  visit(rule);
  return out;
}

function httpRuleOf(method: protobuf.Method): HttpRuleOption | undefined {
  for (const opt of method.parsedOptions ?? []) {
    if (opt && typeof opt === 'object' && '(google.api.http)' in opt) return opt['(google.api.http)'] as HttpRuleOption;
  }
  // Older loaders keep only the flattened form: "(google.api.http).get" etc.
  const flat = method.options ?? {};
  const rule: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    if (key.startsWith('(google.api.http).') && !key.includes('additional_bindings')) {
      rule[key.slice('(google.api.http).'.length)] = value;
    }
  }
  return Object.keys(rule).length ? (rule as HttpRuleOption) : undefined;
}

function withPrefix(t: PathTemplate, prefix: string[]): PathTemplate {
  const shift = prefix.length;
  return {
    segments: [...prefix.map((value) => ({ kind: 'literal' as const, value })), ...t.segments],
    variables: t.variables.map((v) => ({ ...v, start: v.start + shift, end: v.end + shift })),
    verb: t.verb,
  };
}

function withoutVersion(t: PathTemplate): PathTemplate {
  const first = t.segments[0];
  if (first?.kind !== 'literal' || t.variables.some((v) => v.start === 0)) return t;
  return {
    segments: t.segments.slice(1),
    variables: t.variables.map((v) => ({ ...v, start: v.start - 1, end: v.end - 1 })),
    verb: t.verb,
  };
}

function startsWithProjects(t: PathTemplate): boolean {
  const first = t.segments[0];
  return first?.kind === 'literal' && first.value === 'projects';
}

export function buildRouteTable(services: protobuf.Service[] = servedServices()): RouteTable {
  const routes: Route[] = [];
  const seen = new Set<string>();
  const add = (base: Omit<Route, 'pattern' | 'template'>, template: PathTemplate) => {
    const pattern = formatPathTemplate(template);
    const key = `${base.httpMethod} ${pattern}`;
    if (seen.has(key)) return;
    seen.add(key);
    routes.push({ ...base, pattern, template });
  };

  // Each CloudTasks version's REST prefix (`v2`, `v2beta3`) also carries the Locations mixin.
  const versionPrefixes = new Set<string>();
  for (const service of services) {
    if (service.fullName.replace(/^\./, '') === LOCATIONS_SERVICE) continue;
    for (const method of service.methodsArray) {
      for (const b of httpBindings(method)) {
        const first = parsePathTemplate(b.pattern).segments[0];
        if (first?.kind === 'literal') versionPrefixes.add(first.value);
      }
    }
  }

  for (const service of services) {
    const serviceName = service.fullName.replace(/^\./, '');
    for (const method of service.methodsArray) {
      method.resolve();
      const requestType = method.resolvedRequestType as protobuf.Type;
      const responseType = method.resolvedResponseType as protobuf.Type;
      for (const b of httpBindings(method)) {
        const template = parsePathTemplate(b.pattern);
        for (const v of template.variables) assertFieldPath(requestType, v.fieldPath, b.pattern);
        if (b.body && b.body !== '*') assertFieldPath(requestType, [b.body], b.pattern);
        const base = {
          httpMethod: b.httpMethod,
          methodPath: methodPath(service, method),
          requestType,
          responseType,
          body: b.body,
        };
        add(base, template);
        const bare = withoutVersion(template);
        if (serviceName === LOCATIONS_SERVICE) {
          // The Node REST client asks /v1/projects/{p}/locations; other clients use the API's own version.
          for (const prefix of versionPrefixes) add(base, withPrefix(bare, [prefix]));
          if (startsWithProjects(bare)) add(base, bare);
        } else if (serviceName === UNVERSIONED_SERVICE && startsWithProjects(bare)) {
          add(base, bare);
        }
      }
    }
  }

  const firstSegments = new Set<string>();
  for (const r of routes) {
    const first = r.template.segments[0];
    if (first?.kind === 'literal') firstSegments.add(first.value);
  }
  // More literal segments first, so a specific route wins over a wildcard one.
  const ordered = [...routes].sort((a, b) => literalCount(b.template) - literalCount(a.template));

  return {
    routes: ordered,
    ownsPath(rawPath: string): boolean {
      const first = rawPath.replace(/^\//, '').split('/')[0].split(':')[0];
      return firstSegments.has(safeDecode(first));
    },
    match(httpMethod: string, rawPath: string): RouteMatch {
      return matchRoute(ordered, httpMethod.toUpperCase(), rawPath);
    },
  };
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function matchRoute(routes: Route[], httpMethod: string, rawPath: string): RouteMatch {
  const rawSegments = rawPath.replace(/^\//, '').split('/');
  const last = rawSegments[rawSegments.length - 1];
  // A custom verb is split off the last segment only, before decoding: a project ID such as
  // `example.com:proj` may contain ':' (raw from gcloud, %3A from the Node client).
  const colon = last.lastIndexOf(':');
  const attempts: Array<{ segments: string[]; verb: string | undefined }> = [];
  if (colon >= 0) {
    attempts.push({
      segments: [...rawSegments.slice(0, -1), last.slice(0, colon)].map(decodeSegment),
      verb: decodeSegment(last.slice(colon + 1)),
    });
  }
  attempts.push({ segments: rawSegments.map(decodeSegment), verb: undefined });

  for (let i = 0; i < attempts.length; i++) {
    const { segments, verb } = attempts[i];
    const allowed: HttpMethod[] = [];
    for (const route of routes) {
      if (route.template.verb !== verb) continue;
      const spans = matchSegments(route.template.segments, segments);
      if (!spans) continue;
      if (route.httpMethod !== httpMethod) {
        if (!allowed.includes(route.httpMethod)) allowed.push(route.httpMethod);
        continue;
      }
      const pathParams = route.template.variables.map((v) => ({
        fieldPath: v.fieldPath,
        value: segments.slice(spans[v.start][0], spans[v.end - 1][1]).join('/'),
      }));
      return { kind: 'found', route, pathParams };
    }
    // The unsplit fallback (i > 0) exists for raw ':' inside IDs; it must not turn an unknown verb
    // (`q:explode`) into "wrong method" for GetQueue of a queue called "q:explode".
    if (i === 0 && allowed.length) return { kind: 'method-not-allowed', allowed };
  }
  return { kind: 'no-route' };
}

function assertFieldPath(type: protobuf.Type, fieldPath: string[], pattern: string): void {
  let current: protobuf.Type | null = type;
  for (const name of fieldPath) {
    const field: protobuf.Field | undefined = current ? findField(current, name) : undefined;
    if (!field) throw new Error(`${pattern}: ${type.fullName} has no field ${fieldPath.join('.')}`);
    field.resolve();
    current = (field.resolvedType as protobuf.Type | null) ?? null;
  }
}

/** Looks a field up by its protobufjs (lowerCamelCase) name or its original snake_case proto name. */

export { camelToSnake, findField, snakeToCamel };
