/**
 * eslint.config.mjs turns rules off, file by file, for findings in code other engineers are
 * restructuring (its PENDING list). This keeps that list honest: every entry must still silence a
 * finding, so a fixed file is taken off the list rather than left exempt. (New findings are
 * `npm run lint`'s job.)
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { ESLint as ESLintType, Linter } from 'eslint';

const ROOT = path.resolve(__dirname, '..');

type Pending = Record<string, Record<string, string[]>>;

test('every PENDING entry in eslint.config.mjs still silences a finding (delete the fixed ones)', async () => {
  const { ESLint } = (await import('eslint')) as { ESLint: typeof ESLintType };
  // A computed URL: the config is an ES module that the type check does not read.
  const config = (await import(pathToFileURL(path.join(ROOT, 'eslint.config.mjs')).href)) as {
    baseConfig: Linter.Config[];
    PENDING: Pending;
  };
  const entries = Object.entries(config.PENDING).flatMap(([owner, findings]) =>
    Object.entries(findings).flatMap(([rule, files]) => files.map((file) => ({ owner, rule, file }))),
  );
  const files = [...new Set(entries.map((e) => e.file))].filter((file) => existsSync(path.join(ROOT, file)));

  const rules = new Set(entries.map((e) => e.rule));
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: config.baseConfig,
    ruleFilter: ({ ruleId }) => rules.has(ruleId),
  });
  const fired = new Set<string>();
  for (const result of await eslint.lintFiles(files)) {
    const file = path.relative(ROOT, result.filePath).split(path.sep).join('/');
    for (const message of result.messages) fired.add(`${message.ruleId} ${file}`);
  }

  const stale = entries.filter((e) => !fired.has(`${e.rule} ${e.file}`)).map((e) => `${e.owner}: ${e.rule}: ${e.file}`);
  assert.deepEqual(stale, [], 'these files no longer break these rules: delete them from PENDING in eslint.config.mjs');
});
