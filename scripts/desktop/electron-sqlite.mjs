// better-sqlite3 for Electron's ABI, kept beside the Node build instead of replacing it:
// `tasklight serve` and the tests keep loading node_modules/better-sqlite3 under Node, while the
// desktop app is handed this build's path (TASKLIGHT_SQLITE_BINDING, read by the desktop host and
// passed to better-sqlite3's `nativeBinding` option).
//
//   .electron-native/electron-<version>-<platform>-<arch>/
//     package.json                      lists better-sqlite3, so @electron/rebuild finds it
//     node_modules/better-sqlite3/      a copy of the installed package's sources, built for Electron
//     build-info.json                   written last: which Electron and better-sqlite3 it is for
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD_INFO = 'build-info.json';
const BINDING = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/** The installed better-sqlite3 (the Node build) and where its Electron build goes. */
export function electronSqliteTarget(root, electronVersion, env = process.env) {
  const require = createRequire(join(root, 'package.json'));
  const packageDir = dirname(require.resolve('better-sqlite3/package.json'));
  const sqliteVersion = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  const base = env.TASKLIGHT_ELECTRON_NATIVE_DIR || join(root, '.electron-native');
  const dir = join(base, `electron-${electronVersion}-${process.platform}-${process.arch}`);
  return { packageDir, sqliteVersion, electronVersion, dir, binding: join(dir, BINDING) };
}

/** The Electron build's path when one was finished for exactly these versions; otherwise null. */
export function findElectronSqlite(target) {
  try {
    const info = JSON.parse(readFileSync(join(target.dir, BUILD_INFO), 'utf8'));
    const matches = info.electron === target.electronVersion && info['better-sqlite3'] === target.sqliteVersion;
    return matches && existsSync(target.binding) ? target.binding : null;
  } catch {
    return null;
  }
}

/**
 * Builds it with @electron/rebuild: a prebuilt binary for this Electron when better-sqlite3
 * publishes one, else a compile against Electron's headers. Resolves to an error message (one
 * line) or null on success.
 */
export async function buildElectronSqlite(root, target, { stderr = process.stderr, env = process.env } = {}) {
  stderr.write(`start: building better-sqlite3 ${target.sqliteVersion} for Electron ${target.electronVersion} (once per version; a download, or a compile of about a minute)\n`);
  rmSync(target.dir, { recursive: true, force: true });
  mkdirSync(target.dir, { recursive: true });
  writeFileSync(
    join(target.dir, 'package.json'),
    JSON.stringify({ name: 'tasklight-electron-native', private: true, dependencies: { 'better-sqlite3': target.sqliteVersion } }, null, 2),
  );
  cpSync(target.packageDir, join(target.dir, 'node_modules', 'better-sqlite3'), {
    recursive: true,
    filter: (source) => !relative(target.packageDir, source).split(sep).includes('build'),
  });

  // npm passes its own `nodedir` setting down (on some machines it names Node's headers);
  // node-gyp would then build against Node instead of Electron.
  const childEnv = { ...env };
  delete childEnv.npm_config_nodedir;
  delete childEnv.NPM_CONFIG_NODEDIR;
  const log = join(target.dir, 'build.log');
  const args = { buildPath: target.dir, electronVersion: target.electronVersion, headerURL: env.TASKLIGHT_ELECTRON_HEADERS_URL };
  const result = spawnSync(process.execPath, [join(dirname(fileURLToPath(import.meta.url)), 'rebuild-for-electron.mjs'), JSON.stringify(args)], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  writeFileSync(log, output);
  if (result.status !== 0) {
    const reason = lastLine(output, 'rebuild-for-electron: ') ?? result.error?.message ?? `exit ${result.status}`;
    return `the build of better-sqlite3 for Electron ${target.electronVersion} failed (${reason}; log: ${log})`;
  }
  if (!existsSync(target.binding)) return `the build of better-sqlite3 for Electron ${target.electronVersion} left no ${target.binding}`;
  writeFileSync(
    join(target.dir, BUILD_INFO),
    JSON.stringify({ electron: target.electronVersion, 'better-sqlite3': target.sqliteVersion, builtAt: new Date().toISOString() }, null, 2),
  );
  return null;
}

function lastLine(output, prefix) {
  const line = output.split('\n').reverse().find((l) => l.startsWith(prefix));
  return line?.slice(prefix.length).trim();
}
