import { spawn, type ChildProcess } from 'node:child_process';
import * as readline from 'node:readline';

export interface Child {
  proc: ChildProcess;
  ready: any;
  /** Sends a line on stdin and resolves with the next JSON line on stdout. */
  ask(line: string): Promise<any>;
  stop(): Promise<void>;
}

/** Starts a TypeScript script in its own Node process and waits for its first JSON line. */
export async function startChild(script: string, args: string[] = [], nodeFlags: string[] = []): Promise<Child> {
  // One JSON answer per line; lines can be long (the handler's arrival log).
  const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: proc.stdout! });
  const waiting: Array<(v: any) => void> = [];
  lines.on('line', (l) => {
    if (!l.startsWith('{')) return;
    waiting.shift()?.(JSON.parse(l));
  });
  const next = () => new Promise<any>((resolve) => waiting.push(resolve));
  const ready = await Promise.race([
    next(),
    new Promise((_, reject) => proc.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)))),
  ]);
  return {
    proc,
    ready,
    ask(line) {
      const p = next();
      proc.stdin!.write(line + '\n');
      return p;
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    },
  };
}
