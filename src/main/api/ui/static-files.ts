import { existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { HttpHandler } from '../http-server';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The same policy as index.html's meta tag, also as a header (covers every response). */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'";

/** Where the built renderer is: next to the built main bundle, or out/renderer from the sources. */
export function findRendererDir(): string | null {
  const candidates = [
    join(__dirname, '../renderer'),
    join(__dirname, '../../renderer'),
    join(__dirname, '../../../out/renderer'),
    join(__dirname, '../../../../out/renderer'),
    join(process.cwd(), 'out/renderer'),
  ];
  for (const dir of candidates) if (existsSync(join(dir, 'index.html'))) return resolve(dir);
  return null;
}

/**
 * Serves the renderer bundle at `/` for the web UI: files with their content types, hashed
 * assets cached for good, and index.html for any other GET that is not an API path (the UI's
 * routes live in the fragment, but a reload of a deep link still lands on the app).
 */
export function createStaticHandler(dir: string | null): HttpHandler {
  const cache = new Map<string, Buffer>();
  const read = (file: string): Buffer | null => {
    let data = cache.get(file);
    if (data) return data;
    try {
      if (!statSync(file).isFile()) return null;
      data = readFileSync(file);
    } catch {
      return null;
    }
    if (cache.size < 200) cache.set(file, data);
    return data;
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return false;
    const path = decodeURIComponentSafe((req.url ?? '/').split('?')[0]);
    if (path === null || /^\/(api|v1|v2|v2beta3|projects|oauth2|\.well-known)(\/|$)/.test(path)) return false;
    if (!dir) {
      if (path !== '/') return false;
      const text = 'Tasklight: the web UI is not built. Run `npm run build` (electron-vite build) and reload.\n';
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
      return true;
    }
    const rel = normalize(path).replace(/^([/\\])+/, '');
    let file = join(dir, rel || 'index.html');
    if (!file.startsWith(dir + sep) && file !== dir) return false;
    let data = rel ? read(file) : null;
    if (!data) {
      // A missing asset is a 404; anything else is a page of the app.
      if (extname(rel) && rel !== 'index.html') {
        if (rel.startsWith('assets/')) {
          res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('Not found');
          return true;
        }
        return false;
      }
      file = join(dir, 'index.html');
      data = read(file);
      if (!data) return false;
    }
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const hashed = rel.startsWith('assets/');
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': data.length,
      'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      ...(type.startsWith('text/html') ? { 'Content-Security-Policy': RENDERER_CSP, 'X-Frame-Options': 'DENY' } : {}),
    });
    res.end(method === 'HEAD' ? undefined : data);
    return true;
  };
}

function decodeURIComponentSafe(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}
