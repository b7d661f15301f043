// A node:test reporter for scripts/run-tests.mjs: it writes nothing while the tests run, and at the
// end one line per failed test (file, the titles leading to it, the first line of its error), so
// the failures are the last thing `npm test` prints instead of sitting among thousands of lines.
import { relative } from 'node:path';

export default async function* failureSummary(source) {
  const failed = [];
  const titles = new Map(); // nesting level -> title of the suite or test open at that level
  let passed = 0;
  let todo = 0;
  for await (const event of source) {
    // A failing `todo` test is a known gap, reported as such; it does not fail the run.
    if (event.type === 'test:fail' && event.data.todo !== undefined && event.data.todo !== false) {
      todo++;
      continue;
    }
    if (event.type === 'test:start') titles.set(event.data.nesting, event.data.name);
    if (event.type === 'test:pass' && event.data.details?.type !== 'suite') passed++;
    if (event.type === 'test:fail' && event.data.details?.type !== 'suite') {
      const { nesting, name, file, details } = event.data;
      const path = [...Array(nesting).keys()].map((level) => titles.get(level)).filter(Boolean);
      const error = details?.error?.cause ?? details?.error;
      const message = String(error?.message ?? error ?? 'failed').split('\n').find((line) => line.trim() !== '') ?? 'failed';
      failed.push(`  ✖ ${file ? relative(process.cwd(), file) : '?'} › ${[...path, name].join(' › ')}\n      ${message.trim()}`);
    }
  }
  const known = todo > 0 ? ` (and ${todo} known gap${todo === 1 ? '' : 's'} marked todo)` : '';
  yield failed.length === 0
    ? `\nrun-tests: all ${passed} tests passed${known}\n`
    : `\nrun-tests: ${failed.length} of ${passed + failed.length} tests failed${known}:\n${failed.join('\n')}\n`;
}
