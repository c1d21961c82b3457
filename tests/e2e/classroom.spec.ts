/**
 * Classroom mode end to end: a real lab started with --classroom (its own
 * process, on 127.0.0.1 and a free port: the shared lab of playwright.config.ts runs
 * without it), one presenter and three students in separate browser contexts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { startClassroomProcess, type LabProcess } from '../integration/classroom/process';

let lab: LabProcess;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lab-classroom-e2e-'));
  lab = await startClassroomProcess(dataDir);
});

/** Every browser context a test opens: closed after it, so phones don't load later specs. */
const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

test.afterAll(async () => {
  await lab?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function student(browser: Browser, nickname: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${nickname}'s phone] ${error.message}`));
  await page.goto(lab.joinUrl);
  await page.getByTestId('nickname').fill(nickname);
  await page.getByTestId('join').click();
  await expect(page.getByTestId('me')).toHaveText(nickname);
  return page;
}

test('students send requests and the presenter sees their labelled tokens; a student cannot switch the mode', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const presenterContext = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  contexts.push(presenterContext);
  const presenter = await presenterContext.newPage();
  await presenter.goto(`${lab.url}/classroom/presenter?token=${lab.presenterToken}`);
  await expect(presenter).toHaveURL(/\/presenter$/);
  await expect(presenter.getByTestId('presenter')).toBeVisible();
  await expect(presenter.getByTestId('join-url')).toHaveText(lab.joinUrl);

  // A slow database and the blocking driver: the room's requests queue at the door, visibly.
  const latency = await presenter.request.put(`${lab.url}/api/config`, { data: { dbLatencyMs: 300 } });
  expect(latency.status()).toBe(200);
  await presenter.locator('body').press('b');
  await expect(presenter.getByTestId('presenter-mode')).toHaveText('Blocking');

  const names = ['Ada', 'Grace', 'Zoé'];
  const phones = await Promise.all(names.map((name) => student(browser, name)));
  await expect(presenter.getByTestId('student-count')).toHaveText('3 students in');

  // A student's tokens are on the projector only while their requests are in flight (Ada's ten can
  // be done in under 4 s), so a poll of the page can miss them on a busy machine. The page itself
  // records every labelled token it draws, and the test reads that record.
  await presenter.evaluate(() => {
    const seen = new Set<string>();
    const note = () => {
      for (const token of document.querySelectorAll<HTMLElement>('[data-testid="room-token"]'))
        if (token.dataset.client && token.checkVisibility()) seen.add(token.dataset.client);
    };
    new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
    (window as unknown as { seenClients: () => string[] }).seenClients = () => [...seen];
  });
  const seenClients = () =>
    presenter.evaluate(() => (window as unknown as { seenClients: () => string[] }).seenClients().sort());
  for (const phone of phones) await phone.getByTestId('send-ten').click();
  await expect.poll(seenClients, { timeout: 30_000 }).toEqual([...names].sort());
  await presenter.screenshot({ path: test.info().outputPath('presenter-with-room.png') });
  // Thirty requests at 300 ms each, one at a time: everyone's results arrive within ~10 s.
  for (const phone of phones) {
    await expect(phone.getByTestId('results').locator('li.ok')).toHaveCount(10, { timeout: 60_000 });
  }
  for (const name of names) {
    await expect(presenter.getByTestId('leaderboard').locator(`li[data-client="${name}"]`)).toBeVisible();
  }

  // The student's phone cannot change the lab: the server says 403.
  const attempt = await phones[0]!.evaluate(async () => {
    const res = await fetch('/api/config', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'nonblocking' }),
    });
    return { status: res.status, body: await res.text() };
  });
  expect(attempt.status).toBe(403);
  expect(attempt.body).toMatch(/only the presenter/);
  const config = await (await presenter.request.get(`${lab.url}/api/config`)).json();
  expect(config.mode).toBe('blocking');
  // The presenter's keys: F fires a run (presenter-only on the server), C and P open the controls and the lesson.
  await presenter.locator('body').press('f');
  await expect
    .poll(async () => ((await (await presenter.request.get(`${lab.url}/api/runs`)).json()) as unknown[]).length, {
      timeout: 20_000,
    })
    .toBeGreaterThan(0);
  await presenter.locator('body').press('c');
  await expect(presenter.getByTestId('presenter-controls')).toBeVisible();
  await presenter.locator('body').press('p');
  await expect(presenter.getByRole('region', { name: 'Lesson' }).getByRole('heading').first()).toBeVisible();

  // Nor can it open the presenter's screen.
  await phones[1]!.goto(`${lab.url}/presenter`);
  await expect(phones[1]!.getByTestId('not-presenter')).toBeVisible();
});

test('the presenter sees who joined and removes a student; that phone says so', async ({ browser }) => {
  test.setTimeout(120_000);
  const presenterContext = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  contexts.push(presenterContext);
  const presenter = await presenterContext.newPage();
  await presenter.goto(`${lab.url}/classroom/presenter?token=${lab.presenterToken}`);
  await expect(presenter.getByTestId('presenter')).toBeVisible();
  const phone = await student(browser, 'Mallory');

  await presenter.getByRole('button', { name: /^Students/ }).click();
  const drawer = presenter.getByRole('region', { name: 'Students' });
  const row = drawer.locator('[data-testid="student-row"][data-client="Mallory"]');
  await expect(row).toContainText('127.0.0.1');
  await expect(drawer.getByRole('columnheader', { name: 'Requests sent' })).toBeVisible();
  await drawer.getByRole('button', { name: 'Remove Mallory' }).click();
  await expect(drawer.getByRole('status')).toHaveText('Mallory was removed from the class.');
  await expect(row).toHaveCount(0);

  // The phone learns it on its next poll of the lab, and says why.
  await expect(phone.getByTestId('student-removed')).toBeVisible();
  await expect(phone.getByRole('alert')).toContainText('the presenter removed you');
  await presenter.screenshot({ path: test.info().outputPath('presenter-students.png') });
});
