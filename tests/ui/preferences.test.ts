import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { absoluteTime } from '../../src/renderer/src/lib/time';
import { DEFAULT_PREFERENCES, loadPreferences, savePreferences } from '../../src/renderer/src/lib/preferences';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('display preferences', () => {
  test('start as system theme, local time, comfortable rows', () => {
    assert.deepEqual(loadPreferences(memoryStorage()), { theme: 'system', timeZone: 'local', density: 'comfortable' });
    assert.deepEqual(loadPreferences(undefined), DEFAULT_PREFERENCES);
  });

  test('what is saved is what loads next time', () => {
    const storage = memoryStorage();
    savePreferences(storage, { theme: 'dark', timeZone: 'utc', density: 'compact' });
    assert.deepEqual(loadPreferences(storage), { theme: 'dark', timeZone: 'utc', density: 'compact' });
  });

  test('an unknown or unreadable saved value falls back to the default, field by field', () => {
    assert.deepEqual(loadPreferences(memoryStorage({ 'tasklight.preferences': '{"theme":"neon","timeZone":"utc","density":9}' })), {
      theme: 'system',
      timeZone: 'utc',
      density: 'comfortable',
    });
    assert.deepEqual(loadPreferences(memoryStorage({ 'tasklight.preferences': '{not json' })), DEFAULT_PREFERENCES);
    assert.deepEqual(loadPreferences(memoryStorage({ 'tasklight.preferences': '"dark"' })), DEFAULT_PREFERENCES);
  });

  test('a storage that refuses writes does not break the choice', () => {
    assert.doesNotThrow(() =>
      savePreferences({ setItem: () => { throw new Error('QuotaExceededError'); } }, { theme: 'light', timeZone: 'local', density: 'comfortable' }),
    );
  });
});

describe('absolute times', () => {
  test('in UTC they say so; in local time they follow the machine', () => {
    const ms = Date.UTC(2026, 10, 23, 15, 4, 5, 123);
    assert.equal(absoluteTime(ms, 'utc'), '2026-11-23 15:04:05.123 UTC');
    const d = new Date(ms);
    assert.equal(absoluteTime(ms, 'local').slice(11, 13), String(d.getHours()).padStart(2, '0'));
    assert.ok(!absoluteTime(ms, 'local').endsWith('UTC'));
  });
});
