/**
 * Tasklight itself, started the way `tasklight serve` starts it, in its own process.
 * Prints {"grpcPort":..,"httpPort":..} once ready; answers "mem" on stdin with its heap+RSS after GC,
 * "cpu" with the CPU time all its threads have used (µs).
 */
import { startServer } from '../../src/main/server';

async function main() {
  const dataDir = process.argv[2];
  const settings = process.argv[3] ? JSON.parse(process.argv[3]) : {};
  const server = await startServer({ grpcPort: 0, httpPort: 0, dataDir, settings, inMemory: !!process.env.BENCH_IN_MEMORY });
  process.stdout.write(JSON.stringify({ grpcPort: server.grpcPort, httpPort: server.httpPort }) + '\n');
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line) => {
    if (String(line).trim() === 'mem') {
      (globalThis as any).gc?.();
      (globalThis as any).gc?.();
      const m = process.memoryUsage();
      process.stdout.write(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, external: m.external }) + '\n');
    }
    if (String(line).trim() === 'cpu') process.stdout.write(JSON.stringify(process.cpuUsage()) + '\n');
  });
  process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
