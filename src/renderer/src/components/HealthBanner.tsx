import type { StoreHealthView } from '../../../shared/contract';
import type { TimeZoneChoice } from '../lib/preferences';
import { useStore } from '../store';

/** "10:42", in the zone the user shows times in. */
function clockTime(iso: string, zone: TimeZoneChoice): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return zone === 'utc' ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC` : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The banner's sentence for a degraded store. */
function healthSentence(health: Extract<StoreHealthView, { status: 'degraded' }>, zone: TimeZoneChoice): string {
  const what = health.reason === 'io-error' ? 'Disk errors' : 'Disk full';
  const where = health.dataDir ?? 'the in-memory store';
  return `${what} since ${clockTime(health.since, zone)} — writes are failing in ${where}`;
}

/**
 * Shown while the store refuses writes (a full disk): what, since when, where. The live updates
 * carry the store's health, so the banner goes away by itself once Tasklight can write again.
 */
export function HealthBanner() {
  const health = useStore((s) => s.health);
  const zone = useStore((s) => s.prefs.timeZone);
  return <HealthNotice health={health} zone={zone} />;
}

/** The banner for a given health: nothing while ok. */
export function HealthNotice({ health, zone }: { health: StoreHealthView; zone: TimeZoneChoice }) {
  if (health.status !== 'degraded') return null;
  return (
    <div className="health-banner" role="alert">
      <strong>{healthSentence(health, zone)}</strong>
      <span>
        {' '}
        New tasks and changes are refused (UNAVAILABLE) and dispatch is paused; free space there and Tasklight resumes by itself.
        Stored tasks are safe.
      </span>
    </div>
  );
}
