/**
 * Runs in the sandboxed preload of the app window and exposes the UI contract (src/shared) as
 * `window.tasklight` through contextBridge. Only `electron` can be required in a sandboxed
 * preload, so everything else is bundled (see electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import { version } from '../../package.json';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('tasklight', createBridge(ipcRenderer, version));
