/**
 * The app's one window: opened where the user last left it (window-state.ts), shown once painted
 * (no white flash), and its bounds saved as it is moved and resized.
 */
import { BrowserWindow, screen } from 'electron';
import { lockedDownWebPreferences } from './lockdown';
import { loadWindowState, MIN_SIZE, restoreBounds, saveWindowState } from './window-state';

export function createMainWindow(options: { stateFile: string; preload: string }): BrowserWindow {
  const saved = loadWindowState(options.stateFile);
  const bounds = restoreBounds(saved, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow({
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'Tasklight',
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: '#111318',
    webPreferences: lockedDownWebPreferences(options.preload),
  });
  if (saved?.maximized) win.maximize();
  win.once('ready-to-show', () => {
    if (!win.isDestroyed()) win.show();
  });
  rememberBounds(win, options.stateFile);
  return win;
}

/** Restores, shows and focuses the window (a second launch, a click on a notification). */
export function bringToFront(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/** Opens a route of the UI (`#/queue/...`) in the window. */
export function showRoute(win: BrowserWindow, hash: string): void {
  void win.webContents.executeJavaScript(`location.hash = ${JSON.stringify(hash)}`);
}

function rememberBounds(win: BrowserWindow, stateFile: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed() || win.isMinimized()) return;
    const b = win.isMaximized() || win.isFullScreen() ? win.getNormalBounds() : win.getBounds();
    try {
      saveWindowState(stateFile, { ...b, maximized: win.isMaximized() });
    } catch {
      /* not worth an error dialog */
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 400);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', () => {
    clearTimeout(timer);
    save();
  });
}
