/**
 * Why the desktop app could not start, told in a dialog before it exits 1: another Tasklight
 * holding the data directory, a better-sqlite3 built for Node instead of Electron, a busy port.
 */
import { dialog, shell } from 'electron';
import { DataDirInUseError } from '../data-dir-lock';

export async function reportStartFailure(err: unknown): Promise<void> {
  if (err instanceof DataDirInUseError) await explainDataDirInUse(err);
  else dialog.showErrorBox('Tasklight could not start', describeError(err));
}

/**
 * Another process (usually `tasklight serve`) has the data directory: say so, offer its web UI
 * when its lock names one, then the caller exits 1.
 */
async function explainDataDirInUse(err: DataDirInUseError): Promise<void> {
  const buttons = err.httpUrl ? ['Open Web UI', 'Quit'] : ['Quit'];
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    title: 'Tasklight',
    message: `tasklight: ${err.message}`,
    detail: 'Another Tasklight (the desktop app or `tasklight serve`) is using this data directory.',
    buttons,
    defaultId: 0,
    cancelId: buttons.length - 1,
    noLink: true,
  });
  if (err.httpUrl && buttons[response] === 'Open Web UI') await shell.openExternal(err.httpUrl).catch(() => undefined);
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'ERR_DLOPEN_FAILED' && /NODE_MODULE_VERSION/.test(e.message)) {
    return `${e.message}\n\nThis better-sqlite3 was built for Node, not for Electron. Start the desktop app with \`npm start\`, which builds one for Electron.`;
  }
  if (e?.code === 'EADDRINUSE') {
    return `${e.message}\n\nIs another Tasklight (or \`tasklight serve\`) already running?`;
  }
  return err instanceof Error ? err.message : String(err);
}
