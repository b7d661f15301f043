import * as fs from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Document } from 'yaml';
import { ConfigError } from './config-error';
import { snakeToCamel } from '../core/proto-json';

/**
 * A parsed YAML or JSON file (JSON is read as YAML 1.2, which keeps line numbers for both), with
 * helpers that walk it and report problems by file, line and field.
 */
export class ConfigSource {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static read(file: string, label = file): ConfigSource {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
      throw new ConfigError(label, undefined, undefined, `cannot read the config file: ${why}`);
    }
    return ConfigSource.parse(text, label);
  }

  static parse(text: string, label: string): ConfigSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const first = doc.errors[0];
    if (first) {
      const line = first.linePos?.[0]?.line ?? (first.pos ? lines.linePos(first.pos[0]).line : undefined);
      const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
      throw new ConfigError(label, line, undefined, `not valid ${/\.json$/i.test(label) ? 'JSON' : 'YAML'}: ${reason}`);
    }
    return new ConfigSource(label, doc, lines);
  }

  get root(): Node | null {
    return doc(this).contents as Node | null;
  }

  lineOf(node: unknown): number | undefined {
    const range = (node as Node | undefined)?.range;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }

  error(node: unknown, field: string | undefined, reason: string): ConfigError {
    return new ConfigError(this.file, this.lineOf(node), field, reason);
  }

  /** The entries of a mapping, in order, with their key nodes (for line numbers). */
  entries(node: unknown, field: string): Array<{ key: string; keyNode: Node; value: Node | null }> {
    if (!isMap(node)) throw this.error(node, field, 'must be a mapping of keys to values');
    return node.items.map((pair) => {
      const keyNode = pair.key as Node;
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string') throw this.error(keyNode, field, 'keys must be names');
      return { key: keyNode.value, keyNode, value: (pair.value as Node | null) ?? null };
    });
  }

  items(node: unknown, field: string): Node[] {
    if (!isSeq(node)) throw this.error(node, field, 'must be a list');
    return node.items as Node[];
  }

  /** The plain JavaScript value of a node (mappings become objects, lists arrays). */
  value(node: Node | null): unknown {
    return node === null ? null : node.toJSON();
  }

  string(node: Node | null, field: string): string {
    const v = this.value(node);
    if (typeof v !== 'string' || v.trim() === '') throw this.error(node, field, 'must be a non-empty string');
    return v;
  }

  boolean(node: Node | null, field: string): boolean {
    const v = this.value(node);
    if (typeof v !== 'boolean') throw this.error(node, field, `must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  /**
   * A dotted field name for messages, in the user's own spelling of the keys that exist (and
   * camelCase for the rest): `queues[0].rate_limits.maxRate`.
   */
  fieldName(node: Node | null, prefix: string, path: string[]): string {
    const names: string[] = [prefix];
    let cur: Node | null = node;
    for (const segment of path) {
      const [, name, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(segment) ?? [];
      const pair = name && isMap(cur) ? cur.items.find((p) => isScalar(p.key) && normaliseKey(String(p.key.value)) === normaliseKey(name)) : undefined;
      if (!pair) {
        cur = null;
        names.push(snakeToCamel(segment));
        continue;
      }
      names.push(`${String((pair.key as { value: unknown }).value)}${index !== undefined ? `[${index}]` : ''}`);
      cur = (pair.value as Node | null) ?? null;
      if (index !== undefined && isSeq(cur)) cur = (cur.items[Number(index)] as Node | undefined) ?? null;
    }
    return names.join('.');
  }

  /** Finds the node at a path of keys (camelCase or snake_case match), `[i]` for list items; the deepest found. */
  locate(node: Node | null, path: string[]): Node | null {
    let cur: Node | null = node;
    for (const segment of path) {
      const [, name, index] = /^([^[]+)(?:\[(\d+)\])?$/.exec(segment) ?? [];
      if (!name || !isMap(cur)) return cur;
      const pair = cur.items.find((p) => isScalar(p.key) && normaliseKey(String(p.key.value)) === normaliseKey(name));
      if (!pair) return cur;
      cur = (pair.value as Node | null) ?? (pair.key as Node);
      if (index !== undefined && isSeq(cur)) cur = (cur.items[Number(index)] as Node | undefined) ?? cur;
    }
    return cur;
  }
}

function doc(source: ConfigSource): Document.Parsed {
  return source.doc;
}

/** `max_dispatches_per_second` and `maxDispatchesPerSecond` compare equal. */
export function normaliseKey(key: string): string {
  return key.replace(/_/g, '').toLowerCase();
}
