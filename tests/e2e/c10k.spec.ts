/**
 * Ten thousand waiting clients on screen: a synthetic 10,000-waiter long-poll run, imported
 * through the page's own import (the lab stores it), shows the exact count at the door with
 * a density band for those not drawn one by one, the publish fanning out, and a histogram
 * lane in the timeline that drills down to the moment clicked. Frame times are the bench's.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { toTraceLines } from '../../src/trace/store';
import { synthesizeLongPoll } from '../../src/viz/syntheticLongPoll';
import { axeViolations } from './axe';
import { loopTextClashes, textClashes } from './svgText';

const WAITERS = 10_000;
let trace: ReturnType<typeof synthesizeLongPoll>;
let traceDir = '';
let traceFile = '';
// Made by the worker that runs these tests, not at the file's top level: Playwright's runner
// loads every spec file to list its tests, and would make (and leave behind) the trace too.
test.beforeAll(() => {
  // A slow fan-out (2 ms between answers): the moment after the publish stays on screen.
  trace = synthesizeLongPoll({ waiters: WAITERS, runId: 'c10k-e2e', holdMs: 60_000, answerGapMs: 2 });
  // A file on disk, not a buffer: Playwright hands the browser a file's path, but copies a buffer's
  // 9 MB through its protocol as base64, which took 20 to 30 s of each test on a busy machine.
  traceDir = mkdtempSync(path.join(tmpdir(), 'lab-c10k-e2e-'));
  traceFile = path.join(traceDir, 'c10k.jsonl');
  writeFileSync(traceFile, toTraceLines(trace.events));
});
test.afterAll(() => {
  if (traceDir) rmSync(traceDir, { recursive: true, force: true });
});

async function importRun(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('import-file').setInputFiles(traceFile);
  await expect(page.getByTestId('import-note')).toContainText('Imported', { timeout: 30_000 });
  await expect
    .poll(() => page.evaluate(() => window.__lab!.requestCount(window.__lab!.playback().runId ?? '')), {
      timeout: 30_000,
    })
    .toBe(WAITERS + 1);
}

/** Moves playback to t and pauses there (a few ms of trace time later at the slowest speed). */
async function showMoment(page: Page, t: number): Promise<void> {
  await page.evaluate((at) => window.__lab!.playFrom(at, 0.05), t);
  await page.getByTestId('play-pause').click();
  await expect(page.getByTestId('playback')).toHaveAttribute('data-state', 'paused');
}

test('10,000 long-polls: the exact count at the door, a density band, the fan-out, a histogram lane that drills down', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await importRun(page);
  await showMoment(page, trace.allWaitingAt);

  const loop = page.getByTestId('view-loop');
  const door = page.getByTestId('door-count');
  await expect(door).toHaveText('10,000 at the door');
  await expect(door).toHaveAttribute('data-parked', String(WAITERS));
  const band = page.getByTestId('density-band');
  await expect(band).toBeVisible();
  const inBand = Number(await band.getAttribute('data-count'));
  expect(inBand).toBeGreaterThan(0);
  // The dots drawn one by one and the band account for every waiter, no more, no less.
  const drawn = Number(await loop.getAttribute('data-tokens'));
  expect(drawn + inBand).toBe(WAITERS);
  await expect(band).toContainText(`+${inBand.toLocaleString('en-US')}`);
  // People who cannot see the picture get the same numbers.
  await expect(loop.getByRole('img')).toHaveAttribute(
    'aria-label',
    /10,000 at the door: 10,000 long-polls waiting for news/,
  );
  await expect(page.getByTestId('fan-out')).toHaveCount(0);
  // Every word readable: none runs out of the picture or over another (the door's count sat on the thread's label).
  expect(await loopTextClashes(loop)).toEqual([]);

  // The publish: every waiter is still there, and the fan-out is drawn towards them.
  await showMoment(page, trace.publishedAt + 1);
  const fan = page.getByTestId('fan-out');
  await expect(fan).toBeVisible();
  expect(Number(await fan.getAttribute('data-waiting'))).toBeGreaterThan(WAITERS * 0.98);
  expect(await loopTextClashes(loop)).toEqual([]);
  // Every axe rule holds on the crowded picture too (its count is text, read at 7:1).
  expect(await axeViolations(page, 'the loop at the publish, 10,000 waiting')).toEqual([]);

  // The timeline: a histogram lane for all of them; clicking it zooms to that moment's requests.
  await page.getByTestId('tab-timeline').click();
  const histogram = page.getByTestId('histogram-lane');
  await expect(histogram).toHaveAttribute('data-requests', String(WAITERS + 1));
  await expect(histogram).toHaveAttribute('data-peak', String(WAITERS));
  // Its words sit beside the area, not on it (the peak's count sat where the area is tallest).
  const timeline = page.getByTestId('view-timeline');
  expect(await textClashes(timeline, '.histogram-lane path, .db-area')).toEqual([]);
  const lanes = page.getByTestId('request-lane');
  const firstBefore = await lanes.first().getAttribute('data-rid');
  const box = (await histogram.boundingBox())!;
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height / 2);
  await expect(page.getByRole('button', { name: 'Show all' })).toBeEnabled();
  // Drilled into the hold: the lanes now start with requests of that window, and say how many are not drawn.
  await expect(page.getByTestId('hidden-lanes')).toContainText('more requests in this window');
  expect(await lanes.count()).toBeGreaterThan(0);
  expect(firstBefore).toBe('lp1');
  expect(await axeViolations(page, 'the timeline drilled into 10,000 waiters')).toEqual([]);
});

test('reduced motion: the crowded door keeps its count and band', async ({ page }) => {
  test.setTimeout(120_000);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await importRun(page);
  await showMoment(page, trace.allWaitingAt);
  await expect(page.getByTestId('door-count')).toHaveText('10,000 at the door');
  await expect(page.getByTestId('density-band')).toBeVisible();
});

test("the lesson's stage fans the publish out to the waiters, as the lab page does", async ({ page }) => {
  test.setTimeout(120_000);
  await importRun(page);
  // In-page navigation: the lab (and the run on screen) stays, the lesson's stage draws it.
  await page.getByRole('link', { name: 'Lessons' }).click();
  await page.getByRole('link', { name: /Ten thousand waiting clients/ }).click();
  const stage = page.getByTestId('lesson-stage');
  await expect(stage).toBeVisible();
  await showMoment(page, trace.allWaitingAt);
  await expect(stage.getByTestId('door-count')).toHaveText('10,000 at the door');
  await expect(stage.getByTestId('fan-out')).toHaveCount(0);
  await showMoment(page, trace.publishedAt + 1);
  const fan = stage.getByTestId('fan-out');
  await expect(fan).toBeVisible();
  expect(Number(await fan.getAttribute('data-waiting'))).toBeGreaterThan(WAITERS * 0.98);
  await expect(fan).toContainText('one publish answers');
  // A lesson's stage is short and narrower than the lab's, and a phone's narrower still: every
  // word stays in the picture and off the others, waiting and at the publish.
  const loop = stage.getByTestId('view-loop');
  for (const size of [page.viewportSize()!, { width: 390, height: 844 }, { width: 360, height: 640 }]) {
    await page.setViewportSize(size);
    for (const t of [trace.allWaitingAt, trace.publishedAt + 1]) {
      await showMoment(page, t);
      await expect(stage.getByTestId('door-count')).toBeVisible();
      expect(await loopTextClashes(loop), `${size.width} x ${size.height}, t ${t}`).toEqual([]);
    }
    // The stage's compact timeline: the histogram lane's words beside its area, none over another.
    const timeline = stage.getByTestId('view-timeline');
    await expect(timeline.getByTestId('histogram-lane')).toBeVisible();
    expect(
      await textClashes(timeline, '.histogram-lane path, .db-area'),
      `timeline, ${size.width} x ${size.height}`,
    ).toEqual([]);
  }
});

test('lesson 12 step 1 runs live on the lab as npm start runs it: a thousand long-polls held, one publish answers all', async ({
  page,
}) => {
  // Every test above draws a synthetic run. This one runs the real thing through the lab the
  // suite starts from its compiled build, as `npm start` does: there, and only there, undici
  // was loaded in a form whose `request` was undefined, and every live long-poll run failed
  // at its publish while the tests (through tsx) passed.
  test.setTimeout(180_000);
  await page.goto('/lessons/ten-thousand-waiting-clients/1');
  await page.getByRole('button', { name: 'Run this experiment' }).click();
  const status = page.locator('.lesson-run-status');
  // While it runs, the count includes the publish in its total too (it read "1,001 of 1,000").
  await expect(status).toHaveText(
    /^(Starting the run…|Applying the settings…|Running: [\d,]+ of 1,001 answered\.|Done: 1,001 answered\.)$/,
  );
  // A thousand waiters and the publish that answered them.
  await expect(status).toHaveText(/^Done: 1,001 answered\.$/, { timeout: 150_000 });
  // The line under the loop: what the subject held and what each cost, measured in this run.
  await expect(page.locator('.held-connections')).toContainText(/^1,000 connections held · .+ each · loop delay/);
  // No promise from a model of requests that each make their round trip (it said minutes): it says why not.
  await expect(page.locator('.lesson-results td[data-promise]')).toHaveCount(0);
  await expect(page.getByTestId('model-silent')).toContainText('A long poll waits for news');
  // Every waiter was answered by the one publish: the lab's own summary of the run says so.
  const runs = (await (await page.request.get('/api/runs')).json()) as Array<{
    status: string;
    plan: { route: string };
    completed: number;
    errors: number;
    peakConcurrent?: number;
  }>;
  const run = runs.find((candidate) => candidate.plan.route === 'longPoll');
  expect(run).toMatchObject({ status: 'done', completed: 1001, errors: 0 });
  expect(run?.peakConcurrent).toBeGreaterThanOrEqual(950);
});
