/**
 * Runs in the sandboxed preload of the app window. It exposes `window.tasklight` through
 * contextBridge; the UI contract (src/shared) is added here by the UI work. Only `electron` can be
 * required in a sandboxed preload, so everything else is bundled (see electron.vite.config.ts).
 */
import { contextBridge } from 'electron';
import { version } from '../../package.json';

export interface TasklightBridge {
  /** Tasklight's version (package.json). */
  readonly version: string;
}

const bridge: TasklightBridge = { version };

contextBridge.exposeInMainWorld('tasklight', bridge);
