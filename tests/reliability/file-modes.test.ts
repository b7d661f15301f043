/**
 * The data directory holds the OIDC signing key and every task's payload: it is the user's alone
 * (0700, its files 0600), also when the user made the directory, or the files, with looser modes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServer } from '../../src/main/server';

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function modeOf(file: string): string {
  return (fs.statSync(file).mode & 0o777).toString(8);
}

async function runOnce(dataDir: string, queueId: string): Promise<string[]> {
  const server = await startServer({ dataDir, grpcPort: 0, httpPort: 0, rendererDir: null, settings: { dispatch: false } });
  const parent = `${server.httpUrl}/v2/projects/p/locations/l/queues`;
  const created = await fetch(parent, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `projects/p/locations/l/queues/${queueId}` }) });
  assert.equal(created.status, 200, await created.text());
  const files = fs.readdirSync(dataDir);
  await server.close();
  return files;
}

describe('data directory permissions', { skip: process.platform === 'win32' && 'POSIX modes' }, () => {
  it('a directory the user made with 0755 becomes 0700, and every file Tasklight writes there is 0600', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-modes-'));
    tempDirs.push(dataDir);
    fs.chmodSync(dataDir, 0o755);
    const previous = process.umask(0o022);
    try {
      const seen = await runOnce(dataDir, 'private');
      assert.ok(seen.includes('tasklight.sqlite') && seen.includes('tasklight.lock'), seen.join(', '));
      assert.equal(modeOf(dataDir), '700');
      for (const file of [...seen, ...fs.readdirSync(dataDir)]) {
        const full = path.join(dataDir, file);
        if (fs.existsSync(full) && fs.statSync(full).isFile()) assert.equal(modeOf(full), '600', `${file} is ${modeOf(full)}`);
      }
    } finally {
      process.umask(previous);
    }
  });

  it('files left readable by others by an older version are made owner-only at the next start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklight-modes-'));
    tempDirs.push(dataDir);
    await runOnce(dataDir, 'first');
    for (const file of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, file), 0o644);
    fs.chmodSync(dataDir, 0o755);
    await runOnce(dataDir, 'second');
    assert.equal(modeOf(dataDir), '700');
    for (const file of fs.readdirSync(dataDir)) assert.equal(modeOf(path.join(dataDir, file)), '600', file);
  });
});
