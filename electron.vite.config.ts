import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = process.cwd();
const fromRoot = (...parts: string[]): string => resolve(root, ...parts);

/**
 * Main-process bundles, all in out/main (CommonJS, as package.json says "type": "commonjs"):
 * - index.js    the Electron entry (src/main/desktop/main.ts)
 * - cli.js      `tasklight serve`, the headless server under plain Node (src/main/cli/main.ts)
 * - testing.js  test helpers over the HTTP contract (src/main/testing.ts), built once that file
 *               exists; add it to package.json "exports"/"files" when it ships.
 * Code both entries share (server, core, api) lands in out/main/chunks/.
 */
const mainEntries: Record<string, string> = {
  index: fromRoot('src/main/desktop/main.ts'),
  cli: fromRoot('src/main/cli/main.ts'),
};
if (existsSync(fromRoot('src/main/testing.ts'))) mainEntries.testing = fromRoot('src/main/testing.ts');

/**
 * Required at run time from node_modules rather than bundled: better-sqlite3 is a native addon,
 * core/protos.ts reads the protos JSON shipped inside @google-cloud/tasks and google-gax, and the
 * gRPC stack relies on its own package layout. Every entry of package.json "dependencies" is
 * externalized anyway; naming these keeps them external even if one moves.
 */
const runtimeDependencies = ['better-sqlite3', 'protobufjs', '@google-cloud/tasks', 'google-gax', '@grpc/grpc-js'];

/**
 * The renderer's CSP (src/renderer/index.html) forbids inline scripts and styles. Vite's dev
 * server needs both for React refresh and CSS injection, so relax it under `electron-vite dev`
 * only; built pages keep the strict policy.
 */
function relaxCspForDevServer(): Plugin {
  return {
    name: 'tasklight:relax-csp-in-dev',
    apply: 'serve',
    transformIndexHtml(html) {
      return html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // cli.js and testing.js run under plain Node 22 or 24 (the oldest supported release sets the target).
      target: 'node22.12',
      outDir: fromRoot('out/main'),
      externalizeDeps: { include: runtimeDependencies },
      rolldownOptions: {
        input: mainEntries,
      },
    },
  },
  preload: {
    build: {
      outDir: fromRoot('out/preload'),
      // A sandboxed preload can only require('electron') and a few builtins: bundle everything else.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: fromRoot('src/preload/index.ts') },
      },
    },
  },
  renderer: {
    root: fromRoot('src/renderer'),
    plugins: [react(), relaxCspForDevServer()],
    build: {
      outDir: fromRoot('out/renderer'),
      minify: true,
      rolldownOptions: {
        input: { index: fromRoot('src/renderer/index.html') },
      },
    },
  },
});
