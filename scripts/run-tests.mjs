// `npm test` runs the type check, then this: every tests/**/*.test.ts, sorted, one file at a time,
// under node:test with tsx. Node 20's --test does not expand globs, so the files are listed here.
//
//   node scripts/run-tests.mjs                  all tests
//   node scripts/run-tests.mjs cli serve        only files whose path contains "cli" or "serve"
//   node scripts/run-tests.mjs --test-name-pattern=port   arguments starting with "--" go to node --test
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testsDir = join(root, 'tests');

function findTests(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  return entries.flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return findTests(full);
    return entry.isFile() && entry.name.endsWith('.test.ts') ? [relative(root, full).split(sep).join('/')] : [];
  });
}

const args = process.argv.slice(2);
const nodeTestArgs = args.filter((a) => a.startsWith('--'));
const filters = args.filter((a) => !a.startsWith('--'));

const all = findTests(testsDir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const files = filters.length === 0 ? all : all.filter((f) => filters.some((s) => f.includes(s)));

if (files.length === 0) {
  if (filters.length > 0) {
    console.error(`run-tests: no test file under tests/ matches ${filters.map((f) => `"${f}"`).join(' or ')}`);
    process.exit(1);
  }
  console.log('run-tests: no tests/**/*.test.ts files found');
  process.exit(0);
}

// The usual spec output while the tests run, then a short list of what failed (written to a file
// and printed last, so nothing the tests print can come after it).
const summaryDir = mkdtempSync(join(tmpdir(), 'tasklight-tests-'));
const summaryFile = join(summaryDir, 'summary.txt');
const reporters = nodeTestArgs.some((a) => a.startsWith('--test-reporter'))
  ? []
  : [
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${pathToFileURL(join(root, 'scripts', 'failure-summary-reporter.mjs')).href}`,
      `--test-reporter-destination=${summaryFile}`,
    ];

const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...reporters, ...nodeTestArgs, ...files],
  { cwd: root, stdio: 'inherit' },
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}

child.on('exit', (code, signal) => {
  try {
    process.stdout.write(readFileSync(summaryFile, 'utf8'));
  } catch {
    /* a run given its own --test-reporter, or one that died before reporting */
  }
  rmSync(summaryDir, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
