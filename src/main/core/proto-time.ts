/** google.protobuf.Timestamp / Duration in their plain-object shape, to and from microseconds. */
export interface ProtoTime {
  seconds?: number;
  nanos?: number;
}

export function toUs(t: ProtoTime | null | undefined): number {
  if (!t) return 0;
  // Cloud Tasks truncates to whole microseconds.
  return (t.seconds ?? 0) * 1_000_000 + Math.floor((t.nanos ?? 0) / 1000);
}

export function fromUs(us: number): ProtoTime {
  const seconds = Math.floor(us / 1_000_000);
  const nanos = (us - seconds * 1_000_000) * 1000;
  return nanos ? { seconds, nanos } : { seconds };
}

export function isSet(t: ProtoTime | null | undefined): boolean {
  return !!t && (!!t.seconds || !!t.nanos);
}

export function formatSeconds(us: number): string {
  return `${+(us / 1_000_000).toFixed(6)}s`;
}
