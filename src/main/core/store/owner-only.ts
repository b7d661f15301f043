import * as fs from 'node:fs';

/**
 * The data directory holds the OIDC signing key and every task's payload, so it and everything in
 * it are readable by their owner only: 0700 and 0600. Modes are set, not just requested at
 * creation, because the user may have made the directory (or an older Tasklight the files) with
 * looser ones. On Windows, where these modes mean little, the calls change nothing.
 */
export function ownerOnlyDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

/** Creates the file empty (0600) when it is missing; makes an existing one 0600. */
export function ownerOnlyFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}

/** Makes the files that exist among these 0600 (SQLite's -wal and -shm come and go). */
export function ownerOnlyIfPresent(files: readonly string[]): void {
  for (const file of files) {
    try {
      fs.chmodSync(file, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
