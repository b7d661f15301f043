// Child process of electron-sqlite.mjs: runs @electron/rebuild on the staging folder given as
// JSON in argv[2]. A child, so node-gyp's output goes to the build log rather than the terminal,
// and a failure ends with one line on stderr.
import { rebuild } from '@electron/rebuild';

const { buildPath, electronVersion, headerURL } = JSON.parse(process.argv[2]);
try {
  await rebuild({ buildPath, electronVersion, onlyModules: ['better-sqlite3'], force: true, ...(headerURL ? { headerURL } : {}) });
} catch (err) {
  const text = String(err?.message ?? err).trim();
  process.stderr.write(`\nrebuild-for-electron: ${text.split('\n').find((line) => line.trim() !== '') ?? text}\n`);
  process.exit(1);
}
