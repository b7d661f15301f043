// The Electron executable for `npm start`: found where `require('electron')` would find it, or
// downloaded by Electron's own installer. Requiring the electron package is avoided on purpose:
// when its binary is missing, that require starts a download with no way to report progress or
// fall back.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where the electron package lives, its version, and the executable it would run (if present). */
export function locateElectron(root, env = process.env) {
  const require = createRequire(join(root, 'package.json'));
  let dir;
  try {
    dir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { installed: false, reason: 'the electron package is not installed (npm install --include=dev)' };
  }
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const pathFile = join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : defaultExecutableName();
  // ELECTRON_OVERRIDE_DIST_PATH is Electron's own switch for using a binary from elsewhere.
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist');
  const executable = join(distDir, relative);
  return { installed: true, dir, version, executable, present: existsSync(executable), overridden: !!env.ELECTRON_OVERRIDE_DIST_PATH };
}

function defaultExecutableName() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  return process.platform === 'win32' ? 'electron.exe' : 'electron';
}

/**
 * Downloads Electron's binary with @electron/get (the downloader Electron's install.js uses, with
 * the same checksums, cache and mirror settings), drawing progress on stderr, then runs
 * install.js, which finds the download in the cache and unpacks it. Resolves to an error message
 * (one line) or null on success.
 */
export async function installElectron(electron, { stderr = process.stderr, env = process.env } = {}) {
  const requireFromElectron = createRequire(join(electron.dir, 'package.json'));
  const { downloadArtifact } = await import(pathToFileURL(requireFromElectron.resolve('@electron/get')).href);
  const progress = progressLine(stderr, `Electron ${electron.version} for ${process.platform}-${process.arch}`);
  try {
    await downloadArtifact({
      version: electron.version,
      artifactName: 'electron',
      platform: process.platform,
      arch: process.arch,
      cacheRoot: env.electron_config_cache,
      checksums: requireFromElectron('./checksums.json'),
      downloadOptions: { quiet: true, getProgressCallback: progress.update },
    });
  } catch (err) {
    progress.end();
    return describeDownloadError(err);
  }
  progress.end();
  const unpack = spawnSync(process.execPath, [join(electron.dir, 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'], env });
  if (unpack.status !== 0) {
    const lines = String(unpack.stderr ?? '').trim().split('\n');
    return `Electron's install.js failed: ${lines[0] || `exit ${unpack.status}`}`;
  }
  return null;
}

function describeDownloadError(err) {
  const cause = err?.cause;
  const detail = cause?.code ? `${cause.code}${cause.hostname ? ` ${cause.hostname}` : cause.address ? ` ${cause.address}:${cause.port}` : ''}` : cause?.message;
  const message = String(err?.message ?? err).split('\n')[0];
  return `the Electron download failed (${detail ? `${message}: ${detail}` : message})`;
}

/** "Downloading Electron 45.4.1 for linux-x64: 37% of 108 MB", redrawn in place on a terminal. */
function progressLine(stream, what) {
  const tty = !!stream.isTTY;
  let shown = -1;
  stream.write(`start: downloading ${what}${tty ? '' : ' (progress every 10%)'}\n`);
  return {
    update({ percent, total }) {
      // On a terminal every percent redraws the line; in a log, one line per 10% crossed.
      const step = tty ? Math.floor(percent * 100) : Math.floor(percent * 10) * 10;
      if (step <= shown) return;
      shown = step;
      const size = total ? ` of ${Math.round(total / 1e6)} MB` : '';
      stream.write(tty ? `\r  ${step}%${size}   ` : `  ${step}%${size}\n`);
    },
    end() {
      if (tty && shown >= 0) stream.write('\n');
    },
  };
}
