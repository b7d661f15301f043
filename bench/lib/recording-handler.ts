/**
 * The no-op handler the dispatch benchmarks send to, in its own process. Answers 200 at once
 * (or, with `fail-twice`, 503 to each task's first two attempts). Records per request the task
 * name, retry count, arrival time and X-CloudTasks-TaskETA (both µs since the epoch). Prints {"port":..} when listening;
 * answers "stats" on stdin with what it saw, "reset" clears it.
 */
import * as http from 'node:http';

const mode = process.argv[2] ?? 'ok';
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

let arrivals: Array<[string, number, number, number]> = []; // [task, retryCount, arrivalUs, etaUs]
const attemptsByTask = new Map<string, number>();

const server = http.createServer((req, res) => {
  const at = nowUs();
  const task = String(req.headers['x-cloudtasks-taskname'] ?? '');
  const retry = Number(req.headers['x-cloudtasks-taskretrycount'] ?? -1);
  const eta = Math.round(Number(req.headers['x-cloudtasks-tasketa'] ?? NaN) * 1e6);
  req.resume();
  req.on('end', () => {
    arrivals.push([task, retry, at, eta]);
    let status = 200;
    if (mode === 'fail-twice') {
      const n = (attemptsByTask.get(task) ?? 0) + 1;
      attemptsByTask.set(task, n);
      if (n <= 2) status = 503;
    }
    res.writeHead(status, { 'content-length': '2' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as any).port }) + '\n');
});

process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const cmd = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (cmd === 'stats') process.stdout.write(JSON.stringify({ count: arrivals.length, arrivals }) + '\n');
    if (cmd === 'count') process.stdout.write(JSON.stringify({ count: arrivals.length }) + '\n');
    if (cmd === 'reset') {
      arrivals = [];
      attemptsByTask.clear();
      process.stdout.write(JSON.stringify({ ok: true }) + '\n');
    }
  }
});
process.on('SIGTERM', () => process.exit(0));
