// `npm start`: the desktop app. Its Electron binary is downloaded by Electron's installer on the
// first start, and better-sqlite3 is built for Electron's ABI beside the Node build; when either
// cannot be had (offline, no toolchain), the same engine runs headless (`tasklight serve`) with
// its web UI, after one line saying why. Builds out/ first when it is missing.
// Extra arguments (`npm start -- --in-memory`) are passed to `tasklight serve` in headless mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installElectron, locateElectron } from './desktop/electron-binary.mjs';
import { buildElectronSqlite, electronSqliteTarget, findElectronSqlite } from './desktop/electron-sqlite.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function ensureBuilt() {
  const outputs = ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.js', 'out/renderer/index.html'];
  if (outputs.every((file) => existsSync(join(root, file)))) return;
  console.error('start: out/ is missing or incomplete; building first (npm run build)');
  const electronVite = join(dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
  const build = spawnSync(process.execPath, [electronVite, 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** The Electron executable and the better-sqlite3 build it loads, or why the desktop app cannot run. */
async function prepareDesktop() {
  let electron = locateElectron(root);
  if (!electron.installed) return { why: electron.reason };
  if (!electron.present) {
    if (electron.overridden) return { why: `ELECTRON_OVERRIDE_DIST_PATH names no Electron binary (${electron.executable} is missing)` };
    const failed = await installElectron(electron);
    if (failed) return { why: failed, retry: 'run `npm start` again once online' };
    electron = locateElectron(root);
    if (!electron.present) return { why: `Electron's installer finished but ${electron.executable} is missing`, retry: 'delete node_modules/electron/dist and run `npm start` again' };
  }
  const target = electronSqliteTarget(root, electron.version);
  let binding = findElectronSqlite(target);
  if (!binding) {
    const failed = await buildElectronSqlite(root, target);
    if (failed) return { why: failed, retry: 'it needs a prebuilt binary from GitHub or Electron\'s headers and a C++ toolchain; run `npm start` again once either is available' };
    binding = target.binding;
  }
  return { executable: electron.executable, binding };
}

/** Runs a child with the terminal, passes signals on and exits with its code. */
function run(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', env });
  // One Ctrl+C reaches the child from the terminal and again via npm; pass each signal on once.
  let lastSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      const now = Date.now();
      if (now - lastSignalAt < 500) return;
      lastSignalAt = now;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (err) => {
    console.error(`start: could not run ${command}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

ensureBuilt();
const desktop = await prepareDesktop();
if (desktop.executable) {
  run(desktop.executable, ['.'], { ...process.env, TASKLIGHT_SQLITE_BINDING: desktop.binding });
} else {
  const retry = desktop.retry ? ` To get the desktop app, ${desktop.retry}.` : '';
  console.error(`start: no desktop app: ${desktop.why}; running \`tasklight serve\` with the web UI instead.${retry}`);
  run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', ...process.argv.slice(2)]);
}
