// electron-builder `afterPack` hook (electron-builder.yml): puts better-sqlite3's Electron build
// into the packed app. electron-builder's own rebuild (npmRebuild) is off because it rebuilds
// node_modules in place, which would leave `tasklight serve` and the tests with a module Node
// cannot load; this hook uses the build `npm start` keeps beside it instead (made here when
// missing).
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildElectronSqlite, electronSqliteTarget, findElectronSqlite } from './electron-sqlite.mjs';

// builder-util's Arch enum, by value.
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

export default async function afterPack(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const arch = ARCH_NAMES[context.arch];
  if (electronPlatformName !== process.platform || arch !== process.arch) {
    // A native module is compiled for the machine it is built on.
    throw new Error(`better-sqlite3 is built for this machine (${process.platform}-${process.arch}); build the ${electronPlatformName}-${arch} installer on a ${electronPlatformName}-${arch} machine`);
  }
  const root = packager.projectDir;
  const target = electronSqliteTarget(root, packager.info.framework.version);
  if (!findElectronSqlite(target)) {
    const failed = await buildElectronSqlite(root, target);
    if (failed) throw new Error(failed);
  }
  const packed = join(packager.getResourcesDir(appOutDir), 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(packed)) throw new Error(`afterPack: ${packed} is missing (electron-builder.yml asarUnpack must keep better_sqlite3.node outside the asar)`);
  copyFileSync(target.binding, packed);
  console.log(`  • better-sqlite3 for Electron ${target.electronVersion}  from=${target.binding}`);
}
