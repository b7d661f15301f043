/**
 * What the app's web contents may not do. The renderer runs sandboxed and context-isolated with
 * no Node; it cannot navigate away from the app, open windows or attach webviews (http(s) links
 * open in the user's browser instead), and every permission request (camera, notifications,
 * geolocation...) is refused. The page's CSP is the meta tag in src/renderer/index.html: a
 * file:// page gets no response headers to carry one.
 */
import { app, session, shell, type WebPreferences } from 'electron';
import { isAppFrameUrl } from './ipc';

/** The window's web preferences: the preload is the renderer's only way to the main process. */
export function lockedDownWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    webSecurity: true,
    webviewTag: false,
    spellcheck: false,
  };
}

/** No navigation away from the app, no new windows, no webviews; http(s) links open in the browser. */
export function lockDownWebContents(appUrl: string): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (isExternalWebUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event) => {
      const target = event.url;
      // In-app routes change only the fragment; a reload of the app itself is fine too.
      if (isAppFrameUrl(target, appUrl)) return;
      event.preventDefault();
      if (isExternalWebUrl(target)) void shell.openExternal(target);
    });
    contents.on('will-redirect', (event) => {
      if (!isAppFrameUrl(event.url, appUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** Every permission the page asks for is refused: the UI needs none. */
export function refusePermissions(): void {
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
}

function isExternalWebUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
