/**
 * The summary `npm test` ends with (scripts/failure-summary-reporter.mjs): each failure with the
 * start of its error, a failing hook once with its own error, a file that died with what it
 * printed; todo tests are known gaps and skipped tests are counted, neither is a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';

const REPORTER = pathToFileURL(resolve(__dirname, '..', '..', 'scripts', 'failure-summary-reporter.mjs')).href;
const dir = mkdtempSync(join(tmpdir(), 'tasklight-summary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs these test files (name → source) under node --test with only the summary reporter. */
function summaryOf(files: Record<string, string>): { text: string; status: number | null } {
  for (const [name, source] of Object.entries(files)) writeFileSync(join(dir, name), source);
  // Without NODE_TEST_CONTEXT, which would make the child report to this run instead of printing.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  const run = spawnSync(process.execPath, ['--test', `--test-reporter=${REPORTER}`, '--test-reporter-destination=stdout', ...Object.keys(files)], {
    cwd: dir,
    env,
    encoding: 'utf8',
  });
  return { text: run.stdout, status: run.status };
}

const HEADER = "import { before, describe, test } from 'node:test';\nimport assert from 'node:assert/strict';\n";

test('lists each failure with its message and the lines of the diff that differ', () => {
  const { text, status } = summaryOf({
    'fails.test.mjs': `${HEADER}
test('passes', () => {});
test('one is two', () => assert.equal(1, 2, 'one is not two'));
test('objects', () => assert.deepEqual({ a: [1, 2, 3], b: 'x' }, { a: [1, 2, 4], b: 'x' }));
`,
  });
  assert.equal(status, 1);
  assert.equal(
    text.trim(),
    [
      'run-tests: 2 failed, 1 passed:',
      '  ✖ fails.test.mjs › one is two',
      '      one is not two',
      '      1 !== 2',
      '  ✖ fails.test.mjs › objects',
      '      Expected values to be strictly deep-equal:',
      '      + actual - expected',
      '      +     3',
      '      -     4',
    ].join('\n'),
  );
});

test('an error that wraps another says what it wraps', () => {
  const { text } = summaryOf({
    'wraps.test.mjs': `${HEADER}
test('fetches', () => { throw new TypeError('fetch failed', { cause: new Error('other side closed', { cause: new Error('EPIPE') }) }); });
`,
  });
  assert.match(text, /✖ wraps\.test\.mjs › fetches\n {6}fetch failed ← other side closed ← EPIPE\n/);
});

test('a failing hook is reported once with its error; a file that dies, with what it printed', () => {
  const { text } = summaryOf({
    'hook.test.mjs': `${HEADER}
describe('needs a port', () => {
  before(() => { throw new Error('port 8123 is in use'); });
  test('first', () => {});
  test('second', () => {});
});
`,
    'dies.test.mjs': "import './missing-module.mjs';\n",
  });
  assert.match(text, /run-tests: 2 failed, 0 passed \(and 2 cancelled by a failure above\):/);
  assert.match(text, /✖ hook\.test\.mjs › needs a port\n {6}port 8123 is in use\n/);
  assert.match(text, /✖ dies\.test\.mjs › dies\.test\.mjs\n {6}Error \[ERR_MODULE_NOT_FOUND\]: Cannot find module '.*missing-module\.mjs'/);
});

test('todo tests are known gaps and skipped tests are counted; neither fails the run', () => {
  const { text, status } = summaryOf({
    'gaps.test.mjs': `${HEADER}
test('works', () => {});
test('a known gap', { todo: 'issue 12' }, () => assert.fail('not yet'));
test('a gap that already works', { todo: true }, () => {});
test('needs Chromium', { skip: 'no browser here' }, () => {});
`,
  });
  assert.equal(status, 0);
  assert.equal(text.trim(), 'run-tests: all 1 tests passed (and 2 known gaps marked todo, 1 skipped)');
});
