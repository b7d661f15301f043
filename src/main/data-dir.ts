import * as os from 'node:os';
import * as path from 'node:path';

/** The name Tasklight's per-user directory carries on every platform. */
export const APP_DIR_NAME = 'Tasklight';

export interface PlatformEnv {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  homedir: string;
}

/**
 * Where Tasklight keeps its data when no `--data-dir` is given: the directory Electron reports as
 * `app.getPath('userData')` for an app named "Tasklight", so the headless server and the desktop
 * app share one store.
 *
 * - Linux and other Unixes: `$XDG_CONFIG_HOME/Tasklight`, else `~/.config/Tasklight`
 * - macOS: `~/Library/Application Support/Tasklight`
 * - Windows: `%APPDATA%\Tasklight`, else `%USERPROFILE%\AppData\Roaming\Tasklight`
 */
export function defaultDataDir(
  from: PlatformEnv = { platform: process.platform, env: process.env, homedir: os.homedir() },
): string {
  const { platform, env, homedir } = from;
  if (platform === 'win32') {
    const appData = nonEmpty(env.APPDATA) ?? path.win32.join(homedir, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DIR_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
  }
  // Chromium takes XDG_CONFIG_HOME as given when it is set and non-empty.
  const configHome = nonEmpty(env.XDG_CONFIG_HOME) ?? path.posix.join(homedir, '.config');
  return path.posix.join(configHome, APP_DIR_NAME);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
