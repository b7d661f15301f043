/**
 * The desktop window's remembered bounds (window-state.json in the data dir). Plain Node: the
 * Electron entry passes in the displays' work areas, so this is tested without Electron.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState extends Rect {
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1320, height: 860 };
export const MIN_SIZE = { width: 760, height: 500 };

export function loadWindowState(file: string): WindowState | null {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    const ok = ['x', 'y', 'width', 'height'].every((k) => Number.isFinite(raw?.[k]));
    return ok ? { x: raw.x, y: raw.y, width: raw.width, height: raw.height, maximized: !!raw.maximized } : null;
  } catch {
    return null;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Bounds to open with: the saved ones if at least a usable part of the window lands on a display
 * that still exists (a monitor may have been unplugged), else the default size, centred.
 */
export function restoreBounds(saved: WindowState | null, workAreas: Rect[]): Partial<Rect> & { width: number; height: number } {
  if (!saved) return { ...DEFAULT_SIZE };
  const width = Math.max(MIN_SIZE.width, saved.width);
  const height = Math.max(MIN_SIZE.height, saved.height);
  const visible = workAreas.some((a) => {
    const w = Math.min(saved.x + width, a.x + a.width) - Math.max(saved.x, a.x);
    const h = Math.min(saved.y + height, a.y + a.height) - Math.max(saved.y, a.y);
    return w >= 120 && h >= 80;
  });
  return visible ? { x: saved.x, y: saved.y, width, height } : { width, height };
}
