import type { Clock } from '../../core/clock';
import { HttpSender } from '../../core/dispatch/http-sender';
import type { HeaderMap, ReplayView } from '../../../shared/contract';
import { statusClassOf } from './views';

const MAX_PER_TASK = 20;
const MAX_TASKS = 500;
const REPLAY_DEADLINE_US = 60_000_000;
const COMPUTED = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

/**
 * Re-sends a recorded request to the handler. It goes straight out, outside the dispatcher: the
 * task's counters, schedule and retry accounting are untouched, and no attempt is recorded.
 * Replays are remembered in memory (per task, the newest 20) so the task view can show them.
 */
export class Replayer {
  private readonly sender: HttpSender;
  private readonly byTask = new Map<string, ReplayView[]>();
  private nextId = 1;

  constructor(private readonly clock: Clock) {
    this.sender = new HttpSender(clock);
  }

  async send(
    key: string,
    attemptId: number | null,
    request: { method: string; url: string; headers: HeaderMap; body: Buffer | undefined },
    edited: boolean,
  ): Promise<ReplayView> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (!COMPUTED.has(k.toLowerCase())) headers[k] = v;
    const method = request.method.toUpperCase() || 'POST';
    const body = method === 'GET' || method === 'HEAD' ? undefined : request.body;
    const started = performance.now();
    const result = await this.sender.send({ method, url: request.url, headers, body, deadlineUs: REPLAY_DEADLINE_US });
    const view: ReplayView = {
      id: this.nextId++,
      attemptId,
      atMs: Date.now(),
      request: { method, url: request.url, headers, bodyBase64: body ? body.toString('base64') : '', bodySize: body?.length ?? 0 },
      response:
        result.status === null
          ? null
          : {
              status: result.status,
              headers: result.responseHeaders ?? {},
              bodyBase64: result.body?.toString('base64') ?? '',
              truncated: !!result.bodyTruncated,
            },
      durationMs: performance.now() - started,
      error: result.error ?? (result.status === null ? `No answer (${statusClassOf(null)})` : null),
      edited,
    };
    let list = this.byTask.get(key);
    if (!list) {
      if (this.byTask.size >= MAX_TASKS) this.byTask.delete(this.byTask.keys().next().value!);
      this.byTask.set(key, (list = []));
    }
    list.unshift(view);
    if (list.length > MAX_PER_TASK) list.length = MAX_PER_TASK;
    return view;
  }

  of(key: string): ReplayView[] {
    return this.byTask.get(key) ?? [];
  }

  clear(): void {
    this.byTask.clear();
  }

  async close(): Promise<void> {
    this.sender.abortAll();
    await this.sender.destroy();
  }
}
