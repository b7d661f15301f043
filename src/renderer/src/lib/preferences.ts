/** How the UI looks, kept per browser profile (localStorage), never on the server. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export type TimeZoneChoice = 'local' | 'utc';
export type DensityChoice = 'comfortable' | 'compact';

export interface Preferences {
  theme: ThemeChoice;
  timeZone: TimeZoneChoice;
  density: DensityChoice;
}

export const DEFAULT_PREFERENCES: Preferences = { theme: 'system', timeZone: 'local', density: 'comfortable' };

/** Height of a task-table row per density, px; the stylesheet's --row-height must agree. */
export const ROW_HEIGHT: Record<DensityChoice, number> = { comfortable: 36, compact: 28 };

const KEY = 'tasklight.preferences';
export const THEMES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
const ZONES: readonly TimeZoneChoice[] = ['local', 'utc'];
const DENSITIES: readonly DensityChoice[] = ['comfortable', 'compact'];

/** Reads what was saved; anything missing, unknown or unreadable falls back to the default. */
export function loadPreferences(storage: Pick<Storage, 'getItem'> | undefined): Preferences {
  let saved: Partial<Record<keyof Preferences, unknown>> = {};
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(KEY) ?? '{}');
    if (parsed && typeof parsed === 'object') saved = parsed as typeof saved;
  } catch {
    // A hand-edited or truncated value: start from the defaults.
  }
  return {
    theme: THEMES.includes(saved.theme as ThemeChoice) ? (saved.theme as ThemeChoice) : DEFAULT_PREFERENCES.theme,
    timeZone: ZONES.includes(saved.timeZone as TimeZoneChoice) ? (saved.timeZone as TimeZoneChoice) : DEFAULT_PREFERENCES.timeZone,
    density: DENSITIES.includes(saved.density as DensityChoice) ? (saved.density as DensityChoice) : DEFAULT_PREFERENCES.density,
  };
}

export function savePreferences(storage: Pick<Storage, 'setItem'> | undefined, prefs: Preferences): void {
  try {
    storage?.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Storage full or disabled: the choice still holds for this session.
  }
}

/**
 * The stylesheet picks every colour with light-dark(), so the theme is only the page's
 * color-scheme: "system" leaves it to the OS, the others pin it. Density switches spacing.
 */
export function applyDisplay(root: HTMLElement, prefs: Pick<Preferences, 'theme' | 'density'>): void {
  if (prefs.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = prefs.theme;
  root.dataset.density = prefs.density;
}
