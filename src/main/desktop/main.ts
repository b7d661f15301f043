/**
 * Electron entry (built to out/main/index.js, package.json "main"). Runs the same engine as
 * `tasklight serve`, in-process, and shows the renderer in one locked-down window. This file only
 * wires the parts, each in its own module: the single-instance lock, start and quit here; the
 * window (window.ts, its remembered bounds in window-state.ts), the menu (menu.ts), what the web
 * contents may not do (lockdown.ts), the UI contract over IPC (ipc.ts), exhausted-task
 * notifications (notifications.ts) and why a start failed (start-failure.ts).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, ipcMain, Notification, type BrowserWindow } from 'electron';
import { defaultDataDir } from '../data-dir';
import { instanceFromEnv, type InstancePlace } from '../instance-options';
import { loadDesktopSettings, saveDesktopSettings } from './settings';
import { ExhaustionAlerts } from './notifications';
import { isAppSender, registerUiIpc } from './ipc';
import { lockDownWebContents, refusePermissions } from './lockdown';
import { setApplicationMenu } from './menu';
import { reportStartFailure } from './start-failure';
import { startServer, type RunningServer } from '../server';
import { bringToFront, createMainWindow, showRoute } from './window';

// The desktop app and `tasklight serve` share one data directory (see data-dir.ts); pin it here so
// it does not depend on package.json's name.
app.setName('Tasklight');
app.setPath('userData', defaultDataDir());

let mainWindow: BrowserWindow | null = null;
let server: RunningServer | null = null;
let serverClosed = false;
/** When quitting began (performance.now()), while the engine stops. */
let closingSince: number | null = null;
const DUPLICATE_QUIT_WINDOW_MS = 500;
let unregisterIpc: (() => void) | null = null;
let alerts: ExhaustionAlerts | null = null;

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined; // `electron-vite dev`
const rendererFile = join(__dirname, '../renderer/index.html');
const appUrl = devServerUrl ?? pathToFileURL(rendererFile).toString();
const windowStateFile = () => join(app.getPath('userData'), 'window-state.json');
const desktopSettingsFile = () => join(app.getPath('userData'), 'desktop-settings.json');

if (!app.requestSingleInstanceLock()) {
  // Another Tasklight owns the engine and its ports; it is told to show itself (second-instance).
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) bringToFront(mainWindow);
  });

  lockDownWebContents(appUrl);

  // Ctrl-C and SIGTERM quit like the Quit menu item, gracefully; sent again, they exit at once.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app.on('window-all-closed', () => {
    // Closing the window stops the engine, on macOS too.
    app.quit();
  });

  app.on('will-quit', (event) => {
    if (!server || serverClosed) return;
    event.preventDefault();
    if (closingSince !== null) {
      // One Ctrl-C can arrive twice (from the terminal and forwarded by npm): only a later request is a second one.
      if (performance.now() - closingSince < DUPLICATE_QUIT_WINDOW_MS) return;
      // Asked again (Quit, Ctrl-C) while attempts in flight get their grace: exit now; what is cut
      // off keeps its lease in the store and is sent again after the next start.
      console.error('tasklight: quit again, exiting without waiting for attempts in flight');
      app.exit(1);
      return;
    }
    closingSince = performance.now();
    unregisterIpc?.();
    alerts?.stop();
    const running = server;
    // Claims nothing more at once; attempts in flight get the engine's grace to be answered and recorded.
    running
      .close({ graceMs: running.engine.settings.shutdownGraceMs })
      .catch((err: unknown) => console.error('tasklight: error while shutting down:', err))
      .finally(() => {
        serverClosed = true;
        app.quit();
      });
  });

  app
    .whenReady()
    .then(start)
    .catch(async (err: unknown) => {
      try {
        await reportStartFailure(err);
      } finally {
        app.exit(1);
      }
    });
}

async function start(): Promise<void> {
  // First: a data dir held by `tasklight serve` stops the start before anything else is set up.
  const where = listenSettings();
  server = await startServer({
    host: where.host,
    grpcPort: where.grpcPort,
    httpPort: where.httpPort,
    ...(where.inMemory ? { inMemory: true } : { dataDir: where.dataDir ?? app.getPath('userData') }),
    settings: where.liftLimits ? { liftLimits: true } : {},
    allowedHosts: where.allowedHosts,
    mode: 'desktop',
    sqliteBinding: sqliteBinding(),
  });
  refusePermissions();
  console.log(`Tasklight ready: gRPC ${server.grpcEndpoint}, HTTP ${server.httpUrl} (data: ${server.dataDir ?? 'in-memory'})`);

  // IPC only from the app's own top-level page in our window; anything else gets PERMISSION_DENIED.
  unregisterIpc = registerUiIpc(ipcMain, server.ui, (event) => isAppSender(event, mainWindow, appUrl));

  mainWindow = createMainWindow({ stateFile: windowStateFile(), preload: join(__dirname, '../preload/index.js') });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
  alerts = watchExhaustedTasks(server);
  setApplicationMenu({ server, window: () => mainWindow, notifyExhausted: alerts.enabled, setNotifyExhausted });

  if (devServerUrl) await mainWindow.loadURL(devServerUrl);
  else await mainWindow.loadFile(rendererFile);
}

/** Notifications for tasks that ran out of retries; the View menu switches them (off by default). */
function watchExhaustedTasks(running: RunningServer): ExhaustionAlerts {
  const watcher = new ExhaustionAlerts(running.engine.clock, (alert) => {
    if (!Notification.isSupported()) return;
    const notification = new Notification({ title: alert.title, body: alert.body });
    notification.on('click', () => {
      if (!mainWindow) return;
      bringToFront(mainWindow);
      showRoute(mainWindow, alert.route);
    });
    notification.show();
  });
  watcher.enabled = loadDesktopSettings(desktopSettingsFile()).notifyExhausted;
  watcher.listen(running.engine.events);
  return watcher;
}

function setNotifyExhausted(on: boolean): void {
  if (alerts) alerts.enabled = on;
  try {
    saveDesktopSettings(desktopSettingsFile(), { notifyExhausted: on });
  } catch {
    /* the switch still holds until quit */
  }
}

/**
 * Where the engine listens and keeps its data: the defaults of `tasklight serve`, changed by the
 * same TASKLIGHT_* variables (host, ports, data dir, in-memory, lift limits, allowed hosts), so a
 * developer whose 8123 is taken starts the app as they would start serve.
 */
function listenSettings(): InstancePlace {
  return instanceFromEnv(process.env);
}

/**
 * node_modules holds better-sqlite3 built for Node (for `tasklight serve` and the tests); from a
 * checkout, `npm start` builds one for Electron and names it in TASKLIGHT_SQLITE_BINDING. An
 * installed app carries the Electron build in node_modules itself.
 */
function sqliteBinding(): string | undefined {
  return app.isPackaged ? undefined : process.env.TASKLIGHT_SQLITE_BINDING || undefined;
}
