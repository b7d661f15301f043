/**
 * The desktop app's own switches (desktop-settings.json in the data dir), as opposed to the
 * engine's settings: today only whether exhausted tasks raise a notification. Plain Node.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

export interface DesktopSettings {
  notifyExhausted: boolean;
}

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { notifyExhausted: false };

export function loadDesktopSettings(file: string): DesktopSettings {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    return { notifyExhausted: raw?.notifyExhausted === true };
  } catch {
    return { ...DEFAULT_DESKTOP_SETTINGS };
  }
}

export function saveDesktopSettings(file: string, settings: DesktopSettings): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(settings), { mode: 0o600 });
  renameSync(tmp, file);
}
