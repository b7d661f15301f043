/**
 * End-to-end: the web UI of `tasklight serve` (in-process, free ports) in Debian's Chromium via
 * Playwright. Each test saves a screenshot to test-results/e2e/<name>.png.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchBrowser, PARENT, queueHref, queueName, startUi, type Ui } from './harness';

// Skipped on a developer's machine without Chromium; under CI a missing browser is a failure, so
// the end-to-end suite can never pass by not running.
const skip = chromiumAvailable() || process.env.CI ? false : 'Chromium is not installed at /usr/bin/chromium';

function taskId(name: string | null | undefined): string {
  return String(name).split('/').pop()!;
}

async function withUi(browser: Browser, fn: (ui: Ui) => Promise<void>): Promise<void> {
  const ui = await startUi({ browser });
  // Generous: only a hang takes this long, never a busy machine.
  ui.page.setDefaultTimeout(30_000);
  try {
    await fn(ui);
  } finally {
    await ui.close();
  }
}

async function createQueue(ui: Ui, id: string, extra: object = {}): Promise<string> {
  const name = queueName(id);
  await ui.client.createQueue({ parent: PARENT, queue: { name, ...extra } });
  return name;
}

const inSeconds = (s: number) => ({ seconds: Math.floor(Date.now() / 1000) + s });

describe('web UI end to end', { skip, concurrency: false }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('shows tasks created with the official client live', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'live');
      await ui.page.goto(queueHref(ui, 'live'));
      await ui.page.getByText('0 tasks').waitFor();
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [task] = await ui.client.createTask({ parent: q, task: { scheduleTime: inSeconds(3600 + i), httpRequest: { url: ui.handler.url(`/live/${i}`) } } });
        ids.push(taskId(task.name));
      }
      // No reload: the WebSocket update brings them in.
      for (const id of ids) await ui.page.getByRole('link', { name: `Open task ${id}` }).waitFor();
      await ui.page.getByText('3 tasks').waitFor();
      assert.equal(await ui.page.locator('.count-scheduled .count-n').innerText(), '3');
      await ui.shot('live-tasks');
    });
  });

  it("shows a failing handler's attempts with status and backoff rule", async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'failing', { retryConfig: { minBackoff: { nanos: 200_000_000 }, maxAttempts: 3 } });
      const [task] = await ui.client.createTask({ parent: q, task: { httpRequest: { url: ui.handler.url('/fail'), body: Buffer.from('{"order":42}') } } });
      await ui.page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${taskId(task.name)}`);
      await ui.page.getByText('#3', { exact: true }).waitFor();
      await ui.page.getByText('waited 200 ms = min_backoff', { exact: true }).waitFor();
      await ui.page.getByText('waited 400 ms = min_backoff × 2¹', { exact: true }).waitFor();
      assert.equal(await ui.page.locator('.attempt-card > summary .badge.status-5xx').count(), 3);
      await ui.page.locator('.task-title .state-exhausted').waitFor();
      await ui.shot('failing-attempts');
    });
  });

  it('pause stops dispatch and resume restarts it', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'pausable');
      await ui.page.goto(`${ui.server.httpUrl}/#/`);
      await ui.page.getByRole('button', { name: 'Pause pausable' }).click();
      await ui.page.locator('.state-pill.paused').waitFor();
      for (let i = 0; i < 3; i++) await ui.client.createTask({ parent: q, task: { httpRequest: { url: ui.handler.url('/paused') } } });
      await ui.page.getByText('Paused: 3 tasks wait for Resume.').waitFor();
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(ui.handler.count('/paused'), 0, 'nothing is dispatched while paused');
      await ui.shot('paused');
      await ui.page.getByRole('button', { name: 'Resume pausable' }).click();
      await ui.handler.waitFor('/paused', 3);
      await ui.page.locator('.count-succeeded .count-n', { hasText: '3' }).waitFor();
      await ui.shot('resumed');
    });
  });

  it("the task page's next attempt counts down with the page's clock", async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'countdown', { retryConfig: { minBackoff: { seconds: 60 }, maxAttempts: 2 } });
      const [task] = await ui.client.createTask({ parent: q, task: { httpRequest: { url: ui.handler.url('/fail/countdown') } } });
      await ui.handler.waitFor('/fail/countdown', 1);
      const page = ui.page;
      await page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${taskId(task.name)}`);
      const line = page.locator('.why-line');
      await line.getByText(/Backing off after 1 failed attempt: next attempt in [\d.]+ s\.$/).waitFor();
      const before = await line.innerText();
      // The page's clock ticks once a second; wait for the sentence to change, however long that takes.
      await page.waitForFunction((text) => (document.querySelector('.why-line') as HTMLElement | null)?.innerText !== text, before);
      const after = await line.innerText();
      const secondsLeft = (text: string) => Number(/next attempt in ([\d.]+) s\./.exec(text)?.[1]);
      assert.ok(secondsLeft(after) < secondsLeft(before), `"${before}" became "${after}"`);
      assert.ok(secondsLeft(after) > 0 && secondsLeft(before) <= 60, `"${before}" → "${after}"`);
      await ui.shot('task-countdown');
    });
  });

  it('run now fires a task scheduled for tomorrow', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'tomorrow');
      const [task] = await ui.client.createTask({ parent: q, task: { scheduleTime: inSeconds(86_400), httpRequest: { url: ui.handler.url('/tomorrow') } } });
      await ui.page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${taskId(task.name)}`);
      await ui.page.getByText(/Scheduled: due in (24 h|1 d)\./).waitFor();
      await ui.page.getByRole('button', { name: 'Run now' }).click();
      await ui.handler.waitFor('/tomorrow', 1);
      await ui.page.locator('.task-title .state-succeeded').waitFor();
      await ui.page.getByText('run now', { exact: true }).waitFor();
      await ui.shot('run-now');
    });
  });

  it('the timeline shows scheduled tasks and opens them', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'timeline');
      const ids: string[] = [];
      for (const minutes of [10, 20, 30]) {
        const [t] = await ui.client.createTask({ parent: q, task: { scheduleTime: inSeconds(minutes * 60), httpRequest: { url: ui.handler.url('/later') } } });
        ids.push(taskId(t.name));
      }
      await ui.page.goto(queueHref(ui, 'timeline', 'timeline'));
      for (const id of ids) await ui.page.getByRole('link', { name: new RegExp(`^Task ${id}, scheduled at`) }).waitFor();
      await ui.page.getByText('3 scheduled in view', { exact: false }).waitFor();
      await ui.shot('timeline');
      await ui.page.getByRole('link', { name: new RegExp(`^Task ${ids[1]}, scheduled`) }).click();
      await ui.page.locator('.task-title', { hasText: ids[1] }).waitFor();
    });
  });

  it('replay re-sends an attempt, also with edits, without touching the task', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'replay');
      const [task] = await ui.client.createTask({ parent: q, task: { httpRequest: { url: ui.handler.url('/replay'), body: Buffer.from('{"n":1}'), headers: { 'Content-Type': 'application/json' } } } });
      const id = taskId(task.name);
      await ui.handler.waitFor('/replay', 1);
      await ui.page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${id}`);
      await ui.page.getByRole('button', { name: 'Replay attempt 1', exact: true }).click();
      await ui.handler.waitFor('/replay', 2);
      const replayed = ui.handler.received.filter((r) => r.url === '/replay')[1];
      assert.equal(replayed.body, '{"n":1}');
      assert.equal(replayed.headers['x-cloudtasks-taskname'], id);
      await ui.page.getByRole('heading', { name: 'Replays' }).waitFor();
      await ui.page.getByRole('button', { name: 'Replay attempt 1 with edits' }).click();
      const dialog = ui.page.getByRole('dialog');
      await dialog.getByLabel('URL').fill(ui.handler.url('/edited'));
      await dialog.getByLabel('Body').fill('{"n":2}');
      await dialog.getByRole('button', { name: 'Send replay' }).click();
      await ui.handler.waitFor('/edited', 1);
      assert.equal(ui.handler.received.find((r) => r.url === '/edited')!.body, '{"n":2}');
      const detail = await ui.call('getTask', { queue: q, id });
      assert.equal(detail.attempts.length, 1, 'replays are not attempts');
      assert.equal(detail.summary.dispatchCount, 1);
      assert.equal(detail.replays.length, 2);
      await ui.page.getByText('edited replay of attempt #1').waitFor();
      await ui.shot('replay');
    });
  });

  it('copy as curl yields a command that reaches the handler', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'curl');
      const [task] = await ui.client.createTask({
        parent: q,
        task: { httpRequest: { url: ui.handler.url('/curl?x=1'), body: Buffer.from(`{"quote":"it's"}`), headers: { 'Content-Type': 'application/json', 'X-Custom': 'a b' } } },
      });
      await ui.handler.waitFor('/curl', 1);
      await ui.page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${taskId(task.name)}`);
      await ui.page.getByRole('button', { name: 'Copy attempt 1 as curl' }).click();
      const command = await ui.page.evaluate(() => (window as any).__tasklightLastCopied as string);
      assert.match(command, /^curl /);
      // Asynchronously: the handler runs in this process.
      await promisify(execFile)('sh', ['-c', command], { timeout: 30_000 });
      await ui.handler.waitFor('/curl', 2);
      const [first, viaCurl] = ui.handler.received.filter((r) => r.url.startsWith('/curl'));
      assert.equal(viaCurl.url, '/curl?x=1');
      assert.equal(viaCurl.method, 'POST');
      assert.equal(viaCurl.body, first.body);
      assert.equal(viaCurl.headers['x-custom'], 'a b');
      assert.equal(viaCurl.headers['x-cloudtasks-queuename'], 'curl');
      await ui.shot('copy-as-curl');
    });
  });

  it('the OIDC view says the token verifies', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'oidc');
      const [task] = await ui.client.createTask({
        parent: q,
        task: { httpRequest: { url: ui.handler.url('/secure'), oidcToken: { serviceAccountEmail: 'worker@e2e-proj.iam.gserviceaccount.com' } } },
      });
      await ui.handler.waitFor('/secure', 1);
      await ui.page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${taskId(task.name)}`);
      await ui.page.getByText('✓ Signature verified against Tasklight’s JWKS').waitFor();
      await ui.page.getByRole('table', { name: 'Token claims' }).getByText('worker@e2e-proj.iam.gserviceaccount.com').waitFor();
      await ui.page.locator('.token').scrollIntoViewIfNeeded();
      await ui.shot('oidc');
    });
  });

  it('advancing the clock fires a task scheduled an hour ahead', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'clock');
      await ui.client.createTask({ parent: q, task: { scheduleTime: inSeconds(3600), httpRequest: { url: ui.handler.url('/hour') } } });
      await ui.page.goto(queueHref(ui, 'clock'));
      await ui.page.getByText('1 task', { exact: true }).waitFor();
      await ui.page.getByLabel('Advance clock by', { exact: true }).fill('1h');
      await ui.page.getByRole('button', { name: 'Advance clock', exact: true }).click();
      await ui.handler.waitFor('/hour', 1);
      await ui.page.getByText('virtual time +1 h').waitFor();
      await ui.page.locator('.count-succeeded .count-n', { hasText: '1' }).waitFor();
      await ui.page.getByText('0 tasks', { exact: true }).waitFor();
      await ui.shot('advance-clock');
    });
  });

  it('a moved clock goes back to real time from the clock controls', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'clock-back');
      await ui.page.goto(queueHref(ui, 'clock-back'));
      await ui.page.getByText('real time', { exact: true }).waitFor();
      await ui.page.getByRole('button', { name: 'Advance clock +1 h' }).click();
      await ui.page.getByText('virtual time +1 h').waitFor();
      await ui.shot('clock-virtual');
      await ui.page.getByRole('button', { name: 'Back to real time' }).click();
      await ui.page.getByText('real time', { exact: true }).waitFor();
      assert.equal((await ui.call('getQueue', { name: q }, 'GET')).clockOffsetMs, 0);
      assert.equal(await ui.page.getByRole('button', { name: 'Back to real time' }).count(), 0);
      await ui.shot('reset-clock');
    });
  });

  it('lists names reserved by de-duplication, and forgetting them lets CreateTask reuse one', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'dedup');
      const name = `${q}/tasks/welcome-mail-42`;
      await ui.client.createTask({ parent: q, task: { name, scheduleTime: inSeconds(3600), httpRequest: { url: ui.handler.url('/dedup') } } });
      await ui.client.deleteTask({ name });
      await assert.rejects(ui.client.createTask({ parent: q, task: { name, httpRequest: { url: ui.handler.url('/dedup') } } }), /ALREADY_EXISTS/);
      await ui.page.goto(queueHref(ui, 'dedup', 'names'));
      await ui.page.getByRole('cell', { name: 'welcome-mail-42' }).waitFor();
      await ui.page.getByText('in 59 min').or(ui.page.getByText('in 1 h')).first().waitFor();
      await ui.shot('reserved-names');
      await ui.page.getByRole('button', { name: 'Forget names' }).click();
      await ui.page.getByText('No names are reserved.').waitFor();
      await ui.client.createTask({ parent: q, task: { name, scheduleTime: inSeconds(3600), httpRequest: { url: ui.handler.url('/dedup') } } });
    });
  });

  it('the first-run page shows how to connect each client, with copy buttons', async () => {
    await withUi(browser, async (ui) => {
      await ui.page.goto(`${ui.server.httpUrl}/#/`);
      await ui.page.getByRole('heading', { name: 'Point your app at Tasklight' }).waitFor();
      for (const lang of ['Node', 'Python', 'Go', 'Java', 'gcloud']) {
        await ui.page.getByRole('tab', { name: lang, exact: true }).click();
        await ui.page.getByRole('button', { name: `Copy the ${lang} snippet` }).click();
        const copied = await ui.page.evaluate(() => (window as any).__tasklightLastCopied as string);
        assert.ok(copied.includes(lang === 'gcloud' ? ui.server.httpUrl : String(ui.server.grpcPort)), `${lang} snippet names this instance`);
      }
      await ui.page.getByRole('tab', { name: 'Node', exact: true }).click();
      await ui.shot('first-run');
    });
  });
  it('works from the keyboard: Ctrl+K to a queue, / to search, j/k and Enter to a task, ? for the list', async () => {
    await withUi(browser, async (ui) => {
      await createQueue(ui, 'kbd-alpha');
      const beta = await createQueue(ui, 'kbd-beta');
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const [task] = await ui.client.createTask({ parent: beta, task: { scheduleTime: inSeconds(3600 + i), httpRequest: { url: ui.handler.url(`/kbd/${i}`) } } });
        ids.push(taskId(task.name));
      }
      const page = ui.page;
      await page.goto(`${ui.server.httpUrl}/#/`);
      await page.getByRole('link', { name: 'kbd-alpha' }).waitFor();

      await page.keyboard.press('Control+k');
      await page.getByRole('combobox', { name: 'Command' }).waitFor();
      await page.keyboard.type('beta');
      await ui.shot('command-palette');
      assert.deepEqual(await page.getByRole('listbox', { name: 'Commands' }).getByRole('option').allInnerTexts(), ['Go to queue kbd-beta\ne2e-proj · us-central1']);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.hash === `#/queue/${encodeURIComponent(beta)}`);
      await page.getByRole('link', { name: `Open task ${ids[1]}` }).waitFor();
      assert.equal(await page.getByRole('dialog').count(), 0, 'the palette closes once it ran a command');

      await page.keyboard.press('/');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Search tasks');
      await page.keyboard.type('j');
      assert.equal(await page.getByRole('searchbox', { name: 'Search tasks' }).inputValue(), 'j', 'j typed into the search field is text');
      await page.getByRole('link', { name: `Open task ${ids[0]}` }).waitFor({ state: 'detached' });
      await page.getByRole('searchbox', { name: 'Search tasks' }).fill('');
      await page.getByRole('link', { name: `Open task ${ids[0]}` }).waitFor();
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

      const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      await page.keyboard.press('j');
      assert.equal(await focusedLabel(), `Open task ${ids[0]}`);
      await page.keyboard.press('j');
      assert.equal(await focusedLabel(), `Open task ${ids[1]}`);
      await page.keyboard.press('k');
      assert.equal(await focusedLabel(), `Open task ${ids[0]}`);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.hash === `#/task/${encodeURIComponent(beta)}/${ids[0]}`);

      await page.keyboard.press('?');
      const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
      await help.getByText('Command palette', { exact: false }).waitFor();
      await ui.shot('keyboard-shortcuts');
      await page.keyboard.press('Escape');
      await help.waitFor({ state: 'detached' });
    });
  });

  it('remembers the theme, time zone and density chosen in the header', async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'display');
      await ui.client.createTask({ parent: q, task: { scheduleTime: inSeconds(3600), httpRequest: { url: ui.handler.url('/display') } } });
      const page = ui.page;
      const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.goto(queueHref(ui, 'display'));
      await page.getByText('1 task', { exact: true }).waitFor();

      await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
      assert.equal(await background(), 'rgb(17, 19, 24)');
      await page.getByRole('combobox', { name: 'Times shown in' }).selectOption('utc');
      const scheduled = page.locator('.trow time').first();
      assert.match((await scheduled.getAttribute('title')) ?? '', / UTC$/);
      await ui.shot('dark-theme');

      await page.reload();
      await page.getByText('1 task', { exact: true }).waitFor();
      assert.equal(await background(), 'rgb(17, 19, 24)', 'the theme survives a reload');
      assert.equal(await page.getByRole('combobox', { name: 'Times shown in' }).inputValue(), 'utc');
      assert.match((await page.locator('.trow time').first().getAttribute('title')) ?? '', / UTC$/);

      await page.getByRole('combobox', { name: 'Theme' }).selectOption('light');
      assert.equal(await background(), 'rgb(246, 247, 249)');
      await page.getByRole('combobox', { name: 'Times shown in' }).selectOption('local');
      assert.doesNotMatch((await page.locator('.trow time').first().getAttribute('title')) ?? '', /UTC/);

      await ui.client.createTask({ parent: q, task: { scheduleTime: inSeconds(7200), httpRequest: { url: ui.handler.url('/display') } } });
      await page.getByText('2 tasks', { exact: true }).waitFor();
      // The row's height (stylesheet) and the step between rows (the virtual list) must agree.
      const rowGeometry = () =>
        page.evaluate(() => {
          const [a, b] = [...document.querySelectorAll('.trow:not(.thead):not(.loading)')].map((el) => el.getBoundingClientRect());
          return [a.height, b.top - a.top];
        });
      assert.deepEqual(await rowGeometry(), [36, 36]);
      await page.getByRole('combobox', { name: 'Density' }).selectOption('compact');
      assert.deepEqual(await rowGeometry(), [28, 28], 'compact rows are shorter');
    });
  });
  it("exports a task's attempts as HAR and compares two of them", async () => {
    await withUi(browser, async (ui) => {
      const q = await createQueue(ui, 'exporting', { retryConfig: { minBackoff: { nanos: 100_000_000 }, maxAttempts: 5 } });
      // Fails twice, then succeeds.
      ui.handler.statusFor = (path) => (path.startsWith('/flaky') ? (ui.handler.count('/flaky') <= 2 ? 503 : 200) : 200);
      const [task] = await ui.client.createTask({ parent: q, task: { httpRequest: { url: ui.handler.url('/flaky'), body: Buffer.from('{"order":42}') } } });
      await ui.handler.waitFor('/flaky', 3);
      const page = ui.page;
      await page.goto(`${ui.server.httpUrl}/#/task/${encodeURIComponent(q)}/${taskId(task.name)}`);
      await page.getByText('#3', { exact: true }).waitFor();

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export HAR' }).click()]);
      assert.equal(download.suggestedFilename(), `exporting-${taskId(task.name)}-attempts.har`);
      const har = JSON.parse(await new Promise<string>((resolve, reject) => {
        void download.createReadStream().then((stream) => {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          stream.on('error', reject);
        }, reject);
      }));
      assert.deepEqual(har.log.entries.map((e: any) => e.response.status), [503, 503, 200]);
      assert.equal(har.log.entries[0].request.postData.text, '{"order":42}');
      assert.equal(har.log.entries[2].request.url, ui.handler.url('/flaky'));

      await page.getByRole('button', { name: 'Compare attempts' }).click();
      const dialog = page.getByRole('dialog', { name: 'Compare attempts' });
      // By default the last two: #2 (503) against #3 (200).
      await dialog.getByRole('row', { name: /status/ }).filter({ hasText: '503' }).filter({ hasText: '200' }).waitFor();
      await dialog.getByRole('row', { name: /X-CloudTasks-TaskRetryCount/i }).waitFor();
      await ui.shot('compare-attempts');
      await dialog.getByRole('combobox', { name: 'Second attempt' }).selectOption({ label: '#1 · 503' });
      assert.equal(await dialog.getByRole('row', { name: /response status/ }).count(), 0, '#2 and #1 both answered 503');
    });
  });
});
