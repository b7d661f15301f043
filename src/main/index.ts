/**
 * Electron entry (built to out/main/index.js, package.json "main"). Runs the same engine as
 * `tasklight serve`, in-process, and shows the renderer in one locked-down window.
 * The UI work adds the menu, the IPC bridge for the UI contract and window-state memory here.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { defaultDataDir } from './data-dir';
import { startServer, type RunningServer } from './server';

// The desktop app and `tasklight serve` share one data directory (see data-dir.ts); pin it here so
// it does not depend on package.json's name.
app.setName('Tasklight');
app.setPath('userData', defaultDataDir());

let mainWindow: BrowserWindow | null = null;
let server: RunningServer | null = null;
let serverClosed = false;

if (!app.requestSingleInstanceLock()) {
  // Another Tasklight owns the engine and its ports; it is told to show itself (second-instance).
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  lockDownWebContents();

  app.on('window-all-closed', () => {
    // Closing the window stops the engine, on macOS too.
    app.quit();
  });

  app.on('will-quit', (event) => {
    if (!server || serverClosed) return;
    event.preventDefault();
    const running = server;
    running
      .close()
      .catch((err: unknown) => console.error('tasklight: error while shutting down:', err))
      .finally(() => {
        serverClosed = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      dialog.showErrorBox('Tasklight could not start', describeError(err));
      app.exit(1);
    });
}

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));

  server = await startServer({ dataDir: app.getPath('userData') });
  console.log(
    `Tasklight ready: gRPC ${server.grpcEndpoint}, HTTP ${server.httpUrl} (data: ${server.dataDir ?? 'in-memory'})`,
  );

  mainWindow = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Tasklight',
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: '#16181d',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => {
    mainWindow = null;
  });

  const devServerUrl = process.env.ELECTRON_RENDERER_URL; // set by `electron-vite dev`
  if (!app.isPackaged && devServerUrl) {
    await mainWindow.loadURL(devServerUrl);
  } else {
    await mainWindow.loadFile(join(__dirname, '../renderer/index.html'));
  }
}

/** No navigation away from the app, no new windows, no webviews; http(s) links open in the browser. */
function lockDownWebContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalWebUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event) => {
      const target = event.url;
      if (target === contents.getURL()) return; // a reload of the app itself
      event.preventDefault();
      if (isExternalWebUrl(target)) void shell.openExternal(target);
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code === 'EADDRINUSE') {
    return `${e.message}\n\nIs another Tasklight (or \`tasklight serve\`) already running?`;
  }
  return err instanceof Error ? err.message : String(err);
}
