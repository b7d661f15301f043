/**
 * The application menu: File (the web UI in a browser, the data folder), Edit, Go (the UI's
 * screens, back and forward), View (zoom, full screen, developer tools when run from a checkout,
 * the switch for exhausted-task notifications), Window and Help.
 */
import { app, Menu, shell, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { RunningServer } from '../server';
import { showRoute } from './window';

export interface MenuContext {
  server: Pick<RunningServer, 'httpUrl' | 'dataDir'>;
  /** The app's window while it is open. */
  window(): BrowserWindow | null;
  /** Whether exhausted-task notifications are on, and how to switch them. */
  notifyExhausted: boolean;
  setNotifyExhausted(on: boolean): void;
}

export function setApplicationMenu(context: MenuContext): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(context)));
}

function menuTemplate(context: MenuContext): MenuItemConstructorOptions[] {
  const running = context.server;
  const go = (hash: string) => {
    const win = context.window();
    if (win) showRoute(win, hash);
  };
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    { label: 'File', submenu: [{ label: 'Open Web UI in Browser', accelerator: 'CmdOrCtrl+Shift+O', click: () => void shell.openExternal(`${running.httpUrl}/`) }, ...(running.dataDir ? [{ label: 'Show Data Folder', click: () => void shell.openPath(running.dataDir!) }] : []), { type: 'separator' }, isMac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: 'Go',
      submenu: [
        { label: 'Queues', accelerator: 'CmdOrCtrl+1', click: () => go('#/') },
        { label: 'Connect a Client', accelerator: 'CmdOrCtrl+2', click: () => go('#/start') },
        { type: 'separator' },
        { label: 'Back', accelerator: isMac ? 'Cmd+[' : 'Alt+Left', click: () => context.window()?.webContents.navigationHistory.goBack() },
        { label: 'Forward', accelerator: isMac ? 'Cmd+]' : 'Alt+Right', click: () => context.window()?.webContents.navigationHistory.goForward() },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : ([{ role: 'toggleDevTools' }] as MenuItemConstructorOptions[])),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        { type: 'separator' },
        {
          label: 'Notify When a Task Runs Out of Retries',
          type: 'checkbox',
          checked: context.notifyExhausted,
          click: (item) => context.setNotifyExhausted(item.checked),
        },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'Cloud Tasks Documentation', click: () => void shell.openExternal('https://cloud.google.com/tasks/docs') },
        { label: 'OIDC Discovery Document', click: () => void shell.openExternal(`${running.httpUrl}/.well-known/openid-configuration`) },
      ],
    },
  );
  return template;
}
