/** Times and durations as text, and durations as people type them; free of the DOM, so tests can use them too. */
import type { TimeZoneChoice } from './preferences';

export function relativeTime(atMs: number, nowMs: number): string {
  const d = atMs - nowMs;
  const a = Math.abs(d);
  let text: string;
  if (a < 1000) return d >= 0 ? 'now' : 'just now';
  if (a < 60_000) text = `${Math.round(a / 1000)} s`;
  else if (a < 3_600_000) text = `${Math.round(a / 60_000)} min`;
  else if (a < 86_400_000) text = `${+(a / 3_600_000).toFixed(1)} h`;
  else text = `${+(a / 86_400_000).toFixed(1)} d`;
  return d > 0 ? `in ${text}` : `${text} ago`;
}

/**
 * Time left until something, as the sentences of "why is it waiting" say it ("in 850 ms", "in
 * 47.1 s", "in 3 min", "in 1.5 h", "in 2 d"), or "now" once it has come.
 */
export function timeLeft(ms: number): string {
  if (!(ms > 0)) return 'now';
  if (ms < 1000) return `in ${Math.round(ms)} ms`;
  // Round once, then pick the unit: 59.96 s reads "in 1 min", never "in 60 s".
  if (+(ms / 1000).toFixed(1) < 60) return `in ${+(ms / 1000).toFixed(1)} s`;
  if (Math.round(ms / 60_000) < 60) return `in ${Math.round(ms / 60_000)} min`;
  if (+(ms / 3_600_000).toFixed(1) < 24) return `in ${+(ms / 3_600_000).toFixed(1)} h`;
  return `in ${+(ms / 86_400_000).toFixed(1)} d`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a < 1) return `${ms.toFixed(2)} ms`;
  if (a < 1000) return `${+ms.toFixed(a < 10 ? 1 : 0)} ms`;
  const sign = ms < 0 ? '-' : '';
  // Round once, then split: 59.96 s reads "1 min" and 59 min 59.7 s "1 h", never "60 s" or "59 min 60 s".
  if (+(a / 1000).toFixed(1) < 60) return `${+(ms / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  const seconds = Math.round(a / 1000);
  if (seconds < 3600) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return `${sign}${m} min${s ? ` ${s} s` : ''}`;
  }
  const minutes = Math.round(a / 60_000);
  if (minutes < 1440) {
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    return `${sign}${h} h${m ? ` ${m} min` : ''}`;
  }
  return `${+(ms / 86_400_000).toFixed(1)} d`;
}

let shownZone: TimeZoneChoice = 'local';

/** Which clock absolute times are shown in; the UI sets it from the user's preference. */
export function showTimesIn(zone: TimeZoneChoice): void {
  shownZone = zone;
}

/** "2026-11-23 15:04:05.123", in local time or, marked as such, in UTC. */
export function absoluteTime(ms: number, zone: TimeZoneChoice = shownZone): string {
  const d = new Date(ms);
  if (zone === 'utc') return d.toISOString().replace('T', ' ').replace('Z', ' UTC');
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "90s", "15m", "2h", "1d 2h", "1:30:00", a bare number = seconds. Returns seconds or null. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!t) return null;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const hms = /^(\d+):(\d{1,2})(?::(\d{1,2}))?$/.exec(t);
  if (hms) return hms[3] !== undefined ? +hms[1] * 3600 + +hms[2] * 60 + +hms[3] : +hms[1] * 60 + +hms[2];
  const units: Record<string, number> = { ms: 0.001, s: 1, sec: 1, m: 60, min: 60, h: 3600, hr: 3600, d: 86400, w: 604800 };
  let total = 0;
  let matched = '';
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)\s*(ms|sec|min|hr|s|m|h|d|w)/g)) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  return matched.replace(/\s/g, '') === t.replace(/\s/g, '') && matched ? total : null;
}
