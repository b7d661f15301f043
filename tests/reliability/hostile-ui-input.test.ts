/**
 * The UI contract and the test contract read JSON bodies too: a body nested deeper than any
 * command's arguments, or one that is not valid UTF-8, is a 400 INVALID_ARGUMENT in the Google JSON
 * error form naming the path (not a 500, and not text quietly turned into U+FFFD), and nothing
 * stored changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertGoogleErrorBody, PARENT, startTasklight, type Tasklight } from '../helpers/tasklight';

let tl: Tasklight;

before(async () => {
  tl = await startTasklight();
});

after(async () => {
  await tl?.close();
});

async function storedQueues(): Promise<string[]> {
  const [queues] = await tl.client('grpc').listQueues({ parent: PARENT });
  return queues.map((q) => q.name!).sort();
}

async function post(path: string, body: Buffer | string) {
  const res = await fetch(`${tl.server.httpUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, json: (await res.json()) as unknown };
}

/** The UI's createQueue and the test contract's forget-names, both POST commands with a JSON body. */
const PATHS = ['/api/queues/create', '/api/forget-names'];

/** `{"name": [[[ ... ]]]}` nested `depth` arrays deep. */
function nested(depth: number): string {
  return `{"name":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

describe('UI and test contract: bodies a JSON parser must not be trusted with', () => {
  test('JSON nested 100,000 levels is 400 INVALID_ARGUMENT naming the path and where it went too deep', async () => {
    for (const path of PATHS) {
      const before = await storedQueues();
      const { status, json } = await post(path, nested(100_000));
      assert.equal(status, 400, `${path}: ${JSON.stringify(json)}`);
      assertGoogleErrorBody(json, 400);
      assert.equal(json.error.status, 'INVALID_ARGUMENT');
      assert.match(json.error.message, new RegExp(`${path}.*Nesting deeper than 100 levels at 'name\\[\\]`));
      assert.deepEqual(await storedQueues(), before);
    }
  });

  test('invalid UTF-8 in a string is 400 INVALID_ARGUMENT naming the path and the byte', async () => {
    const prefix = '{"id":"';
    for (const path of PATHS) {
      // 0xFF never occurs in UTF-8; C0 80 is an overlong NUL; E2 alone is a cut-off sequence.
      for (const bad of [[0xff, 0xfe], [0xc0, 0x80], [0xe2]]) {
        const before = await storedQueues();
        const body = Buffer.concat([Buffer.from(`${prefix}q`), Buffer.from(bad), Buffer.from('"}')]);
        const { status, json } = await post(path, body);
        assert.equal(status, 400, `${path} ${bad}: ${JSON.stringify(json)}`);
        assertGoogleErrorBody(json, 400);
        assert.equal(json.error.status, 'INVALID_ARGUMENT');
        assert.match(json.error.message, new RegExp(`${path}.*not valid UTF-8 at byte ${prefix.length + 1}`));
        assert.deepEqual(await storedQueues(), before, `${path} ${bad} stored a queue`);
      }
    }
  });

  test('valid UTF-8 and nesting within the bound still reach the command', async () => {
    const id = 'ui-utf8-ok';
    const { status, json } = await post('/api/queues/create', Buffer.from(JSON.stringify({ project: 'tasklight-test', location: 'us-central1', id, note: '日本 é' })));
    assert.equal(status, 200, JSON.stringify(json));
    assert.ok((await storedQueues()).includes(`${PARENT}/queues/${id}`));
    const shallow = await post('/api/forget-names', nested(90));
    assert.notEqual(shallow.status, 500, JSON.stringify(shallow.json));
    assert.doesNotMatch(JSON.stringify(shallow.json), /Nesting deeper/);
  });
});
