/**
 * A REST body over the size limit gets its 413 to a client that sends its whole body before it
 * reads the answer, instead of a broken pipe or a hang, and nothing is stored.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { assertGoogleErrorBody, PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';

const QUEUE = `${PARENT}/queues/body-limit`;

let tl: Tasklight;

before(async () => {
  tl = await startTasklight();
  await tl.client('grpc').createQueue({ parent: PARENT, queue: { name: QUEUE } });
});

after(async () => {
  await tl?.close();
});

async function storedTasks(): Promise<string[]> {
  const [tasks] = await tl.client('grpc').listTasks({ parent: QUEUE });
  return tasks.map((t) => t.name!).sort();
}

describe('REST: a body over the size limit gets its 413 while the client is still writing it', () => {
  const LIMIT = 4 * 1024 * 1024;

  /**
   * POSTs `total` bytes in 64 KiB writes, each after the previous one was flushed, as a client does
   * that sends its whole body before it looks at the answer: it succeeds only if every write
   * succeeds and the answer arrives.
   */
  function slowPost(total: number, chunked: boolean): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const { port } = new URL(tl.server.httpUrl);
      let reply: { status: number; text: string } | undefined;
      let written = false;
      const settle = () => {
        if (reply && written) resolve(reply);
      };
      const req = http.request(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          path: `/v2/${QUEUE}/tasks`,
          agent: false,
          headers: chunked ? { 'content-type': 'application/json' } : { 'content-type': 'application/json', 'content-length': total },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            reply = { status: res.statusCode ?? 0, text };
            settle();
          });
          res.on('error', reject);
        },
      );
      req.on('error', (err) => reject(new Error(`the client could not send its body: ${err.message}`)));
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const next = (err?: Error | null) => {
        if (err) return reject(new Error(`the client could not send its body: ${err.message}`));
        if (sent >= total) {
          req.end(() => {
            written = true;
            settle();
          });
          return;
        }
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        req.write(chunk.subarray(0, n), (e) => setImmediate(next, e));
      };
      next();
    });
  }

  for (const chunked of [false, true]) {
    test(`${chunked ? 'chunked' : 'with Content-Length'}: 6 MiB written slowly gets 413 in Google JSON form, three times`, { timeout: 30_000 }, async () => {
      const before = await storedTasks();
      for (let round = 0; round < 3; round++) {
        const reply = await slowPost(LIMIT + 2 * 1024 * 1024, chunked);
        assert.equal(reply.status, 413, reply.text);
        const json = JSON.parse(reply.text);
        assertGoogleErrorBody(json, 413);
        assert.equal(json.error.status, 'INVALID_ARGUMENT');
        assert.match(json.error.message, /exceeds the limit: 4194304 bytes/);
      }
      assert.deepEqual(await storedTasks(), before);
    });
  }
});
