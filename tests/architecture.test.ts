/**
 * The boundaries design.md draws, checked on every import in src/ and scripts/ (README,
 * "Development"):
 * - src/main/core and src/main/api never import `electron`;
 * - nothing but the desktop host (src/main/desktop) and the preload imports `electron`;
 * - the renderer imports only src/renderer and src/shared (and browser-side packages);
 * - src/shared imports only src/shared;
 * - SQL is prepared only in src/main/core/store (`.prepare(`, `.pragma(`, `.exec(` of SQL);
 * - a host (src/main/desktop, src/main/cli, the library src/main/testing.ts) imports no other host,
 *   and nothing else in src/main (core, api, config, server wiring) imports a host;
 * - config and cli read proto JSON from core, not from the REST transport (src/main/api/rest);
 * - outside src/main/core nothing reaches the engine's internals (engine.db, .dispatcher, .tasks,
 *   .queues, .history): the API and the hosts use its methods and named reads;
 * - comments stand alone: none cites a document that is not in the repository (the team's
 *   "reference §x.y", ux.md, design.md); a public documentation link or the fact itself does.
 *
 * Imports are found with TypeScript's parser (import/export … from, import = require, require(),
 * import(), import types), so comments and strings never count; relative ones are resolved against
 * the tree. Breaches that someone is fixing right now are listed in KNOWN_BREACHES and reported as
 * `todo`; any other breach fails, and so does an entry that no longer occurs.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
/** Folders scanned, relative to the repository root. */
const SCANNED = ['src', 'scripts'];
const SOURCE = /\.(?:ts|tsx|mts|cts|mjs|cjs|js)$/;

export const RULES = {
  'core-api-no-electron': 'src/main/core and src/main/api never import electron',
  'electron-only-in-shell': 'only src/main/desktop and src/preload import electron',
  'renderer-only-renderer-and-shared': 'the renderer imports only src/renderer and src/shared',
  'shared-only-shared': 'src/shared imports nothing outside src/shared',
  'sql-only-in-store': 'SQL is prepared only in src/main/core/store',
  'host-imports-host': 'no host imports another host (desktop, cli, library)',
  'host-imported-from-below': 'core, api, config and the server wiring import no host',
  'proto-json-not-from-rest': 'config and cli do not import the REST transport (src/main/api/rest)',
  'narrow-engine-surface': 'outside src/main/core, nothing reaches engine.db, .dispatcher, .tasks, .queues or .history',
  'comments-stand-alone': 'no comment cites a document outside the repository (reference §, ux.md, design.md)',
} as const;

/** The engine's internals, public only for its own tests: the API and the hosts use its methods and reads. */
const ENGINE_INTERNALS = /\bengine\.(?:db|dispatcher|tasks|queues|history)\b/;

/** How a citation of the team's own documents (not in this repository) reads. */
const OUTSIDE_DOCUMENT = /reference §|§\s?\d|\b(?:ux|design)\.md\b|cloud-(?:tasks|scheduler)-reference|code-review-20\d\d|test-audit-20\d\d/;
export type Rule = keyof typeof RULES;

/** Where `electron` may be imported: the Electron host and its preload. */
export const ELECTRON_ALLOWED = ['src/main/desktop/', 'src/preload/'];
/**
 * The Electron entry before the shell moved into src/main/desktop/ (issue 12): allowed only while
 * that folder does not exist, so once it does, an `electron` import here is a breach.
 */
export const ELECTRON_ENTRY_BEFORE_DESKTOP = 'src/main/index.ts';

/** The hosts: who runs the engine. A folder ends in '/', a single file does not. */
export const HOSTS = {
  desktop: 'src/main/desktop/',
  cli: 'src/main/cli/',
  library: 'src/main/testing.ts',
} as const;

export const STORE = 'src/main/core/store/';

export type SourceFile = { path: string; text: string };
export type Breach = { file: string; rule: Rule; line: number; detail: string };
export type KnownBreach = { file: string; rule: Rule; owner: string };

/**
 * Breaches being fixed right now, each with who is fixing it. Delete an entry when its breach is
 * gone (the test says which); when the list is empty, every boundary is a hard failure.
 */
export const KNOWN_BREACHES: KnownBreach[] = [];

// ---------------------------------------------------------------------------------------------
// The checker: pure over a list of files, so the tests below can feed it a made-up tree.

type Import = { specifier: string; line: number };

function scriptKind(file: string): ts.ScriptKind {
  if (file.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (/\.(?:mjs|cjs|js)$/.test(file)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

function stringArg(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** A call that hands SQL to better-sqlite3. `exec` is RegExp's too: a regex literal or a non-literal argument to something not named like a database is a regex match. */
function sqlCall(node: ts.CallExpression, source: ts.SourceFile): string | undefined {
  if (!ts.isPropertyAccessExpression(node.expression)) return undefined;
  const method = node.expression.name.text;
  if (method === 'prepare' || method === 'pragma') return `.${method}(`;
  if (method !== 'exec') return undefined;
  const receiver = node.expression.expression;
  if (ts.isRegularExpressionLiteral(receiver)) return undefined;
  const arg = node.arguments[0];
  const literal = arg !== undefined && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg) || ts.isTemplateExpression(arg));
  const dbLike = /(?:^|\.)(?:db|database|sqlite|connection)$/i.test(receiver.getText(source));
  return literal || dbLike ? '.exec(' : undefined;
}

function scan(file: SourceFile): { imports: Import[]; sql: Import[] } {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, scriptKind(file.path));
  const imports: Import[] = [];
  const sql: Import[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const add = (node: ts.Node, specifier: string | undefined) => {
    if (specifier !== undefined) imports.push({ specifier, line: lineOf(node) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, stringArg(node.moduleSpecifier));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, stringArg(node.moduleReference.expression));
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, stringArg(node.argument.literal));
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        add(node, stringArg(node.arguments[0]));
      }
      const call = sqlCall(node, source);
      if (call) sql.push({ specifier: call, line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, sql };
}

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.d.ts', '.mjs', '.cjs', '.js', '/index.ts', '/index.tsx', '/index.js'];

/** A relative specifier as a repository path (the file it names when the tree has it). */
function resolveRelative(from: string, specifier: string, known: Set<string>): string {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  return EXTENSIONS.map((ext) => base + ext).find((candidate) => known.has(candidate)) ?? base;
}

const under = (file: string, folder: string) => file.startsWith(folder);
const isElectron = (specifier: string) => specifier === 'electron' || specifier.startsWith('electron/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);

function hostOf(file: string): string | undefined {
  for (const [host, where] of Object.entries(HOSTS)) {
    if (where.endsWith('/') ? under(file, where) : file === where) return host;
  }
  return undefined;
}

/** Every breach of RULES in the given files (paths relative to the repository root, '/'-separated). */
export function checkArchitecture(files: SourceFile[]): Breach[] {
  const known = new Set(files.map((f) => f.path));
  const desktopExists = files.some((f) => under(f.path, HOSTS.desktop));
  const electronAllowed = (file: string) =>
    ELECTRON_ALLOWED.some((folder) => under(file, folder)) || (!desktopExists && file === ELECTRON_ENTRY_BEFORE_DESKTOP);
  const breaches: Breach[] = [];

  for (const file of files) {
    const { imports, sql } = scan(file);
    const f = file.path;
    const report = (rule: Rule, line: number, detail: string) => breaches.push({ file: f, rule, line, detail });
    const inCoreOrApi = under(f, 'src/main/core/') || under(f, 'src/main/api/');
    const fromHost = hostOf(f);

    for (const { specifier, line } of imports) {
      const relative = specifier.startsWith('.');
      const target = relative ? resolveRelative(f, specifier, known) : undefined;

      if (isElectron(specifier)) {
        if (inCoreOrApi) report('core-api-no-electron', line, specifier);
        else if (!electronAllowed(f)) report('electron-only-in-shell', line, specifier);
      }

      if (under(f, 'src/renderer/')) {
        if (target !== undefined && !under(target, 'src/renderer/') && !under(target, 'src/shared/')) {
          report('renderer-only-renderer-and-shared', line, `${specifier} (${target})`);
        } else if (!relative && isBuiltin(specifier)) report('renderer-only-renderer-and-shared', line, specifier);
      }

      if (under(f, 'src/shared/') && (target === undefined || !under(target, 'src/shared/'))) {
        report('shared-only-shared', line, target === undefined ? specifier : `${specifier} (${target})`);
      }

      const toHost = target === undefined ? undefined : hostOf(target);
      if (toHost !== undefined && toHost !== fromHost) {
        if (fromHost !== undefined) report('host-imports-host', line, `${fromHost} imports ${toHost}: ${specifier}`);
        else if (under(f, 'src/main/')) report('host-imported-from-below', line, `imports the ${toHost} host: ${specifier}`);
      }

      if ((under(f, 'src/main/config/') || under(f, HOSTS.cli)) && target !== undefined && under(target, 'src/main/api/rest/')) {
        report('proto-json-not-from-rest', line, `${specifier} (${target})`);
      }
    }

    if (!under(f, STORE)) for (const { specifier, line } of sql) report('sql-only-in-store', line, specifier);

    file.text.split('\n').forEach((text, i) => {
      const cited = OUTSIDE_DOCUMENT.exec(text);
      if (cited) report('comments-stand-alone', i + 1, cited[0]);
      const internal = under(f, 'src/main/') && !under(f, 'src/main/core/') ? ENGINE_INTERNALS.exec(text) : null;
      if (internal) report('narrow-engine-surface', i + 1, internal[0]);
    });
  }
  return breaches;
}

// ---------------------------------------------------------------------------------------------
// The repository.

function readTree(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && SOURCE.test(entry.name)) out.push({ path: rel, text: readFileSync(path.join(ROOT, rel), 'utf8') });
    }
  };
  for (const dir of SCANNED) walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const isKnown = (b: Breach) => KNOWN_BREACHES.some((k) => k.file === b.file && k.rule === b.rule);
const where = (b: Breach) => `${b.file}:${b.line} ${b.rule} (${RULES[b.rule]}): ${b.detail}`;

describe('architecture: the boundaries hold in src/ and scripts/', () => {
  const tree = readTree();
  const breaches = checkArchitecture(tree);

  test('the scan sees the tree (sources read, imports and SQL found)', () => {
    const paths = new Set(tree.map((f) => f.path));
    for (const expected of ['src/main/server.ts', 'src/preload/index.ts', 'src/renderer/src/main.tsx', 'src/shared/contract.ts', 'scripts/start.mjs']) {
      assert.ok(paths.has(expected), `${expected} was not read`);
    }
    const preload = scan(tree.find((f) => f.path === 'src/preload/index.ts')!);
    assert.ok(preload.imports.some((i) => i.specifier === 'electron'), 'the preload imports electron, and the scan must see it');
    const storeSql = tree.filter((f) => under(f.path, STORE)).flatMap((f) => scan(f).sql);
    assert.ok(storeSql.length > 10, `only ${storeSql.length} SQL calls found in ${STORE}`);
  });

  for (const [rule, text] of Object.entries(RULES) as Array<[Rule, string]>) {
    test(text, () => {
      const unexpected = breaches.filter((b) => b.rule === rule && !isKnown(b));
      assert.deepEqual(unexpected.map(where), [], `new breaches of "${text}"`);
    });
  }

  for (const known of KNOWN_BREACHES) {
    const found = breaches.filter((b) => b.file === known.file && b.rule === known.rule);
    test(`known breach: ${known.file}: ${RULES[known.rule]}`, { todo: `being fixed: ${known.owner}` }, () => {
      assert.deepEqual(found.map(where), []);
    });
  }

  test('every KNOWN_BREACHES entry still occurs (delete the fixed ones)', () => {
    const stale = KNOWN_BREACHES.filter((k) => !breaches.some((b) => b.file === k.file && b.rule === k.rule));
    assert.deepEqual(stale, [], 'these breaches are fixed: delete them from KNOWN_BREACHES in tests/architecture.test.ts');
  });
});

// ---------------------------------------------------------------------------------------------
// The checker itself, on a made-up tree: each rule broken once, so this test can fail.

describe('architecture checker', () => {
  const clean: SourceFile[] = [
    { path: 'src/shared/contract.ts', text: "export type X = 1;\nimport type { Y } from './models';\n" },
    { path: 'src/shared/models.ts', text: 'export type Y = 2;\n' },
    { path: 'src/preload/index.ts', text: "import { contextBridge } from 'electron';\nimport type { X } from '../shared/contract';\n" },
    { path: 'src/main/desktop/main.ts', text: "import { app } from 'electron';\nimport { startServer } from '../server';\nimport { BrowserWindow } from 'electron/main';\n" },
    { path: 'src/main/cli/main.ts', text: "import { startServer } from '../server';\nimport { readFileSync } from 'node:fs';\n" },
    { path: 'src/main/testing.ts', text: "import { startServer } from './server';\n" },
    { path: 'src/main/server.ts', text: "import { Engine } from './core/engine';\n" },
    {
      path: 'src/main/core/engine.ts',
      text: [
        "import { openDatabase } from './store/database';",
        '// A comment may say import { app } from "electron" or db.prepare("SELECT 1") freely.',
        "const text = \"require('electron') in a string is not an import\";",
        'const m = /^(\\d+)s$/.exec(text);',
        'const TERM = /x/;',
        'const t = TERM.exec(text);',
      ].join('\n'),
    },
    { path: 'src/main/core/store/database.ts', text: "db.prepare('SELECT 1');\ndb.pragma('journal_mode = WAL');\ndb.exec(MIGRATIONS[0]);\n" },
    { path: 'src/main/config/load.ts', text: "import { fromJson } from '../core/proto-json';\n" },
    { path: 'src/renderer/src/App.tsx', text: "import { useState } from 'react';\nimport type { X } from '../../shared/contract';\nimport './styles.css';\n" },
    { path: 'scripts/start.mjs', text: "import { spawn } from 'node:child_process';\nimport { rebuild } from '@electron/rebuild';\n" },
  ];

  test('a tree that keeps every rule has no breach', () => {
    assert.deepEqual(checkArchitecture(clean).map(where), []);
  });

  const broken: Array<{ rule: Rule; file: SourceFile }> = [
    { rule: 'core-api-no-electron', file: { path: 'src/main/api/menu.ts', text: "import type { Menu } from 'electron';\n" } },
    { rule: 'core-api-no-electron', file: { path: 'src/main/core/notify.ts', text: "const { Notification } = require('electron');\n" } },
    { rule: 'electron-only-in-shell', file: { path: 'src/main/server-extra.ts', text: "const electron = await import('electron');\n" } },
    { rule: 'electron-only-in-shell', file: { path: 'scripts/launch.mjs', text: "export { app } from 'electron';\n" } },
    { rule: 'renderer-only-renderer-and-shared', file: { path: 'src/renderer/src/api/index.ts', text: "import type { TasklightBridge } from '../../../preload/bridge';\n" } },
    { rule: 'renderer-only-renderer-and-shared', file: { path: 'src/renderer/src/lib/files.ts', text: "import { readFileSync } from 'node:fs';\n" } },
    { rule: 'shared-only-shared', file: { path: 'src/shared/http-client.ts', text: "import type { Engine } from '../main/core/engine';\n" } },
    { rule: 'shared-only-shared', file: { path: 'src/shared/yaml.ts', text: "import { parse } from 'yaml';\n" } },
    { rule: 'sql-only-in-store', file: { path: 'src/main/api/ui/task-list.ts', text: "const rows = db.prepare('SELECT * FROM tasks').all();\n" } },
    { rule: 'sql-only-in-store', file: { path: 'src/main/core/test-support.ts', text: 'this.db.exec(`DELETE FROM tasks`);\n' } },
    { rule: 'sql-only-in-store', file: { path: 'src/main/core/checkpoint.ts', text: "db.pragma('wal_checkpoint(TRUNCATE)');\n" } },
    { rule: 'host-imports-host', file: { path: 'src/main/desktop/settings.ts', text: "import { parseArgs } from '../cli/args';\n" } },
    { rule: 'host-imports-host', file: { path: 'src/main/cli/env.ts', text: "import { startTasklight } from '../testing';\n" } },
    { rule: 'host-imported-from-below', file: { path: 'src/main/config/hosts.ts', text: "import { parseArgs } from '../cli/args';\n" } },
    { rule: 'host-imported-from-below', file: { path: 'src/main/api/windows.ts', text: "export * from '../desktop/main';\n" } },
    { rule: 'proto-json-not-from-rest', file: { path: 'src/main/cli/snapshot.ts', text: "import { toJson } from '../api/rest/json-codec';\n" } },
    { rule: 'narrow-engine-surface', file: { path: 'src/main/api/ui/task-list.ts', text: 'const rows = engine.tasks.listLive(queue);\n' } },
    { rule: 'narrow-engine-surface', file: { path: 'src/main/cli/snapshot.ts', text: 'for (const q of engine.queues.all()) out.push(q);\n' } },
    { rule: 'comments-stand-alone', file: { path: 'src/main/core/backoff.ts', text: '/** Cloud Tasks\' retry delay (reference §7.1). */\n' } },
    { rule: 'comments-stand-alone', file: { path: 'src/renderer/src/Panel.tsx', text: '// The breakdown panel (ux.md P1 16).\n' } },
  ];

  for (const { rule, file } of broken) {
    test(`reports ${rule} in ${file.path}`, () => {
      const found = checkArchitecture([...clean, file]);
      assert.deepEqual(
        found.map((b) => [b.file, b.rule]),
        [[file.path, rule]],
        found.map(where).join('\n'),
      );
    });
  }

  test('src/main/index.ts may import electron only while src/main/desktop/ does not exist', () => {
    const entry = { path: ELECTRON_ENTRY_BEFORE_DESKTOP, text: "import { app } from 'electron';\n" };
    const beforeMove = clean.filter((f) => !f.path.startsWith(HOSTS.desktop));
    assert.deepEqual(checkArchitecture([...beforeMove, entry]).map(where), []);
    assert.deepEqual(
      checkArchitecture([...clean, entry]).map((b) => [b.file, b.rule]),
      [[ELECTRON_ENTRY_BEFORE_DESKTOP, 'electron-only-in-shell']],
    );
  });

  test('a breach names its file, rule and line', () => {
    const breach = checkArchitecture([...clean, broken[0].file])[0];
    assert.equal(breach.file, 'src/main/api/menu.ts');
    assert.equal(breach.rule, 'core-api-no-electron');
    assert.equal(breach.line, 1);
  });
});
