// `npm start`: the desktop app when the Electron binary is installed; otherwise the same engine
// headless (`tasklight serve`) with its web UI. Builds first when out/ is missing.
// Extra arguments (`npm start -- --in-memory`) are passed to `tasklight serve` in headless mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * The Electron executable, or why there is none. This reads what `require('electron')` reads
 * (node_modules/electron/path.txt) without requiring it: requiring it when the binary is missing
 * starts a download.
 */
function findElectron() {
  let electronDir;
  try {
    electronDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) {
    return { reason: 'the Electron binary is not installed on this machine (its install script did not run)' };
  }
  const relativePath = readFileSync(pathFile, 'utf8').trim();
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  const executable = join(distDir, relativePath);
  if (!existsSync(executable)) {
    return { reason: `the Electron binary is not installed on this machine (${executable} is missing)` };
  }
  return { executable };
}

/** Runs a child with the terminal, passes signals on and exits with its code. */
function run(command, args) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
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
const electron = findElectron();
if (electron.executable) {
  run(electron.executable, ['.']);
} else {
  console.error(`start: ${electron.reason}; running \`tasklight serve\` with the web UI instead.`);
  run(process.execPath, [join(root, 'out', 'main', 'cli.js'), 'serve', ...process.argv.slice(2)]);
}
