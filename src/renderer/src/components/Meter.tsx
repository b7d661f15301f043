/** A bar showing how full something is (dispatch rate, in-flight, token bucket), as an ARIA meter. */
export function Meter({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div className="meter" role="meter" aria-label={label} aria-valuenow={Math.round(value * 100) / 100} aria-valuemin={0} aria-valuemax={max}>
      <div className="meter-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}
