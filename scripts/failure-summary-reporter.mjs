// A node:test reporter for scripts/run-tests.mjs: it writes nothing while the tests run, and at the
// end one entry per failed test (file, the titles leading to it, the start of its error), so the
// failures are the last thing `npm test` prints instead of sitting among thousands of lines.
//
// Counted apart from failures: `todo` tests (known gaps, whether they pass or fail) and skipped
// tests. A failing `before` hook is reported once, with its own error, instead of as each test it
// cancelled; a test file that dies outside any test (an import that throws, a crash) is reported
// with the error it printed.
import { isAbsolute, relative, resolve } from 'node:path';

/** At most this many lines of an error: its message and the start of an assertion's diff. */
const MAX_LINES = 6;
const MAX_LINE_CHARS = 200;

const isTodo = (data) => data.todo !== undefined && data.todo !== false;
const isSkip = (data) => data.skip !== undefined && data.skip !== false;

function excerpt(text) {
  let lines = String(text)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '');
  // An assertion's diff: its heading, then only the lines that differ.
  const diff = lines.findIndex((line) => /^\+ actual - expected/.test(line.trim()));
  if (diff !== -1) lines = [...lines.slice(0, diff + 1), ...lines.slice(diff + 1).filter((line) => /^[+-] /.test(line.trim()))];
  const kept = lines.slice(0, MAX_LINES).map((line) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line));
  if (lines.length > MAX_LINES) kept.push(`… (${lines.length - MAX_LINES} more lines in the test output above)`);
  return kept.length ? kept : ['failed'];
}

/** What a test file printed to stderr before it died: from the first line naming an error. */
function crashReport(stderr) {
  const lines = stderr.join('').split('\n');
  const at = lines.findIndex((line) => /^\s*(\w+Error|Error)\b|^\s*\w+ \[ERR_/.test(line));
  const report = at === -1 ? lines.slice(-MAX_LINES) : lines.slice(at);
  return report.filter((line) => !/^\s+at |^Node\.js v/.test(line)).join('\n');
}

export default async function* failureSummary(source) {
  const failed = [];
  const titles = new Map(); // nesting level -> title of the suite or test open at that level
  const stderrByFile = new Map();
  let passed = 0;
  let todo = 0;
  let skipped = 0;
  let cancelled = 0;
  const where = (file) => (file ? relative(process.cwd(), file) : '?');
  const report = (data, text) => {
    const path = [...Array(data.nesting).keys()].map((level) => titles.get(level)).filter(Boolean);
    const lines = excerpt(text);
    failed.push(`  ✖ ${where(data.file)} › ${[...path, data.name].join(' › ')}\n${lines.map((line) => `      ${line}`).join('\n')}`);
  };
  for await (const event of source) {
    const { type, data } = event;
    if (type === 'test:stderr' && data.file) {
      const file = isAbsolute(data.file) ? data.file : resolve(data.file);
      stderrByFile.set(file, [...(stderrByFile.get(file) ?? []), data.message]);
      continue;
    }
    if (type === 'test:start') titles.set(data.nesting, data.name);
    if (type !== 'test:pass' && type !== 'test:fail') continue;
    const suite = data.details?.type === 'suite';
    if (isTodo(data)) {
      if (!suite) todo++;
      continue;
    }
    if (type === 'test:pass') {
      if (suite) continue;
      if (isSkip(data)) skipped++;
      else passed++;
      continue;
    }
    const error = data.details?.error;
    const failureType = error?.failureType;
    if (suite) {
      // A suite fails because its tests did (each is listed) or because a hook failed (listed here).
      if (failureType !== 'subtestsFailed') report(data, String(error?.cause?.message ?? error?.cause ?? error?.message ?? error));
      continue;
    }
    if (failureType === 'cancelledByParent') {
      cancelled++;
      continue;
    }
    let message = String(error?.cause?.message ?? error?.cause ?? error?.message ?? error ?? 'failed');
    // "fetch failed" says little; the error it wraps says why (other side closed, ECONNREFUSED...).
    for (let inner = error?.cause?.cause, depth = 0; inner && depth < 3; inner = inner.cause, depth++) {
      message = message.replace(/\n|$/, ` ← ${String(inner.message ?? inner).split('\n')[0]}$&`);
    }
    // A whole file that failed outside its tests: node:test only says "test failed"; what the file printed says why.
    const file = data.file && resolve(data.file);
    if (message === 'test failed' && stderrByFile.has(file)) report(data, crashReport(stderrByFile.get(file)));
    else report(data, message);
  }
  const extras = [
    todo > 0 ? `${todo} known gap${todo === 1 ? '' : 's'} marked todo` : '',
    skipped > 0 ? `${skipped} skipped` : '',
    cancelled > 0 ? `${cancelled} cancelled by a failure above` : '',
  ].filter(Boolean);
  const also = extras.length ? ` (and ${extras.join(', ')})` : '';
  yield failed.length === 0
    ? `\nrun-tests: all ${passed} tests passed${also}\n`
    : `\nrun-tests: ${failed.length} failed, ${passed} passed${also}:\n${failed.join('\n')}\n`;
}
