'use strict';
// A stand-in for the `electron` module, for loading the built main process (out/main/index.js)
// under plain Node. It implements the calls src/main/desktop/ makes, records each one the test asserts on
// and reports it to the test over the child-process IPC channel ({ event, ... }); the test drives
// it back with messages ({ cmd: 'ready' | 'second-instance' | 'quit' | 'invoke' | 'answer-dialog' }).
const { EventEmitter } = require('node:events');

const report = (event, data = {}) => process.send?.({ event, ...data });
const paths = new Map();
const appEvents = new EventEmitter();
const handlers = new Map();
const windows = [];
let resolveReady;
const ready = new Promise((resolve) => (resolveReady = resolve));
let quitting = false;

const app = {
  isPackaged: false,
  setName(name) {
    report('app.setName', { name });
  },
  setPath(name, value) {
    paths.set(name, value);
    report('app.setPath', { name, value });
  },
  getPath(name) {
    return paths.get(name) ?? `/nonexistent/${name}`;
  },
  requestSingleInstanceLock() {
    const granted = process.env.STAND_IN_SINGLE_INSTANCE !== 'taken';
    report('app.requestSingleInstanceLock', { granted });
    return granted;
  },
  on(name, listener) {
    appEvents.on(name, listener);
    return app;
  },
  whenReady() {
    return ready;
  },
  quit() {
    report('app.quit');
    if (quitting) return;
    let prevented = false;
    appEvents.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (prevented) return report('app.will-quit-prevented');
    quitting = true;
    report('app.exited', { code: 0 });
    setImmediate(() => process.exit(0));
  },
  exit(code = 0) {
    report('app.exited', { code });
    setImmediate(() => process.exit(code));
  },
};

let nextId = 1;
class WebContents extends EventEmitter {
  constructor() {
    super();
    this.id = nextId++;
    this.navigationHistory = { goBack() {}, goForward() {} };
  }
  send(channel, payload) {
    report('webContents.send', { channel, payload });
  }
  isDestroyed() {
    return false;
  }
  executeJavaScript(code) {
    report('webContents.executeJavaScript', { code });
    return Promise.resolve();
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents();
    this.minimized = false;
    this.loadedUrl = null;
    windows.push(this);
    report('BrowserWindow.new', { options });
    appEvents.emit('web-contents-created', {}, this.webContents);
  }
  isMinimized() {
    return this.minimized;
  }
  restore() {
    this.minimized = false;
    report('window.restore');
  }
  show() {
    report('window.show');
  }
  focus() {
    report('window.focus');
  }
  maximize() {}
  isMaximized() {
    return false;
  }
  isFullScreen() {
    return false;
  }
  isDestroyed() {
    return false;
  }
  getBounds() {
    return { x: 0, y: 0, width: 1200, height: 800 };
  }
  getNormalBounds() {
    return this.getBounds();
  }
  async loadFile(file) {
    this.loadedUrl = require('node:url').pathToFileURL(file).toString();
    report('window.loadFile', { file });
    setImmediate(() => this.emit('ready-to-show'));
  }
  async loadURL(url) {
    this.loadedUrl = url;
    report('window.loadURL', { url });
  }
}
// contents.setWindowOpenHandler etc. are attached by src/main/desktop/lockdown.ts.
WebContents.prototype.setWindowOpenHandler = function () {};

const dialog = {
  showErrorBox(title, content) {
    report('dialog.showErrorBox', { title, content });
  },
  showMessageBox(options) {
    report('dialog.showMessageBox', { options });
    return new Promise((resolve) => {
      process.once('message', (msg) => {
        if (msg.cmd === 'answer-dialog') resolve({ response: msg.response, checkboxChecked: false });
      });
    });
  },
};

const ipcMain = {
  handle(channel, fn) {
    handlers.set(channel, fn);
    report('ipcMain.handle', { channel });
  },
  removeHandler(channel) {
    handlers.delete(channel);
    report('ipcMain.removeHandler', { channel });
  },
};

const Menu = {
  buildFromTemplate(template) {
    return { template };
  },
  setApplicationMenu(menu) {
    report('Menu.setApplicationMenu', { labels: menu.template.map((item) => item.label ?? item.role) });
  },
};

class Notification extends EventEmitter {
  static isSupported() {
    return false;
  }
}

const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
const session = { defaultSession: { setPermissionRequestHandler: () => report('session.setPermissionRequestHandler') } };
const shell = {
  openExternal(url) {
    report('shell.openExternal', { url });
    return Promise.resolve();
  },
  openPath(p) {
    report('shell.openPath', { path: p });
    return Promise.resolve('');
  },
};

process.on('message', async (msg) => {
  if (msg.cmd === 'ready') {
    resolveReady();
  } else if (msg.cmd === 'second-instance') {
    appEvents.emit('second-instance', {}, ['electron', '.'], process.cwd());
  } else if (msg.cmd === 'minimize') {
    windows[0].minimized = true;
  } else if (msg.cmd === 'quit') {
    app.quit();
  } else if (msg.cmd === 'invoke') {
    // As the renderer's preload would: from the window's own top-level frame, or from elsewhere.
    const win = windows[0];
    const frameUrl = msg.fromApp ? win.loadedUrl : 'https://evil.example/';
    const event = { sender: win.webContents, senderFrame: { url: frameUrl, parent: null } };
    const reply = await handlers.get('tasklight:invoke')(event, msg.command, msg.args);
    report('invoke.reply', { reply });
  }
});

module.exports = { app, BrowserWindow, dialog, ipcMain, Menu, Notification, screen, session, shell };
