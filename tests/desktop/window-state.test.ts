import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SIZE, loadWindowState, restoreBounds, saveWindowState } from '../../src/main/desktop/window-state';

const screenA = { x: 0, y: 0, width: 1920, height: 1050 };

describe('window state', () => {
  it('round-trips through the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-ws-'));
    try {
      const file = join(dir, 'window-state.json');
      assert.equal(loadWindowState(file), null);
      saveWindowState(file, { x: 10, y: 20, width: 1000, height: 700, maximized: true });
      assert.deepEqual(loadWindowState(file), { x: 10, y: 20, width: 1000, height: 700, maximized: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restores bounds that are on a display, centres them otherwise', () => {
    assert.deepEqual(restoreBounds(null, [screenA]), DEFAULT_SIZE);
    assert.deepEqual(restoreBounds({ x: 100, y: 80, width: 1200, height: 800, maximized: false }, [screenA]), { x: 100, y: 80, width: 1200, height: 800 });
    // Saved on a monitor that is gone.
    assert.deepEqual(restoreBounds({ x: 2500, y: 80, width: 1200, height: 800, maximized: false }, [screenA]), { width: 1200, height: 800 });
    // Too small is grown to the minimum.
    assert.deepEqual(restoreBounds({ x: 0, y: 0, width: 100, height: 100, maximized: false }, [screenA]), { x: 0, y: 0, width: 760, height: 500 });
  });
});
