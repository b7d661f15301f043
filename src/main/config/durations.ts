/**
 * Durations as people write them in config files: "10s", "1.5s", "250ms", "5m", "2h", "7d", or a
 * bare number of seconds. Returns microseconds, or undefined when the text is not a duration.
 */
const UNIT_US: Record<string, number> = { ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000, d: 86_400_000_000 };

export function parseDurationUs(value: unknown, units: readonly string[] = Object.keys(UNIT_US)): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1_000_000) : undefined;
  if (typeof value !== 'string') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!match || !units.includes(match[2]!)) return undefined;
  return Math.round(Number(match[1]) * UNIT_US[match[2]!]!);
}

/** The proto3 JSON form of a Duration ("1.5s"). */
export function durationJson(us: number): string {
  return `${+(us / 1_000_000).toFixed(6)}s`;
}
