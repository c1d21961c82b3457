/**
 * The visualizer against the real lab (the runner starts it with the embedded database;
 * see playwright.config.ts): blocking requests visibly serialise, non-blocking ones
 * overlap, the code view follows the step markers, a run survives export and import,
 * and every view is photographed at projector and phone sizes.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { acceptedTimes, collectConsoleErrors, configure, fireAndWait, loadBothModes, openLab, VIEWS } from './labPage';
import { viewTextClashes } from './svgText';

test('the page loads with no console errors', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await openLab(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Event Loop Lab' })).toBeVisible();
  await expect(page.getByTestId('database-status')).toContainText('Database');
  expect(errors).toEqual([]);
});

test('blocking mode: ten requests at 200 ms start one after another', async ({ page }) => {
  await openLab(page);
  await configure(page, 'blocking');
  await fireAndWait(page);
  const starts = await acceptedTimes(page);
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
  await expect(page.locator('[data-testid="request-lane"] .seg-holds').first()).toBeVisible();
});

test('non-blocking mode: ten requests at 200 ms overlap', async ({ page }) => {
  await openLab(page);
  await configure(page, 'nonblocking');
  await fireAndWait(page);
  const starts = await acceptedTimes(page);
  // All ten are on their way to the database before the first one has its answer (an
  // ordering, true on a busy machine too; blocking mode answers each before the next starts).
  await expect(page.locator('[data-testid="request-lane"][data-responded-at=""]')).toHaveCount(0);
  const responses = await page
    .getByTestId('request-lane')
    .evaluateAll((lanes) => lanes.map((lane) => Number(lane.getAttribute('data-responded-at'))));
  expect(starts.at(-1)!).toBeLessThan(Math.min(...responses));
  await expect(page.locator('[data-testid="request-lane"] .seg-holds')).toHaveCount(0);
});

test('a first visit says what to press first, and the loop has a legend for its shapes', async ({ page }) => {
  await openLab(page);
  const legend = page.getByTestId('token-legend');
  await expect(legend.getByRole('listitem')).toHaveCount(6);
  await expect(legend).toContainText('queued at the door');
  await expect(legend).toContainText('holding the loop');
  const hint = page.getByTestId('first-run-hint');
  await expect(hint).toBeVisible();
  await expect(hint).toContainText('Fire');
  // Pressing what it says puts a run on the stage, and the hint goes.
  await page.keyboard.press('f');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(hint).toHaveCount(0);
  // "Got it" is remembered: a new visit with no run on screen does not show it again.
  await page.evaluate(() => localStorage.setItem('event-loop-lab.firstRunHint', 'dismissed'));
  await page.goto('/');
  await expect(page.getByTestId('token-legend')).toBeVisible();
  await expect(page.getByTestId('first-run-hint')).toHaveCount(0);
});

/** A run in `mode`, its first request followed in the Code view: the view and when that request reached the loop (scrubber time). */
async function followFirstRequestInCode(page: Page, mode: 'blocking' | 'nonblocking') {
  await openLab(page);
  await configure(page, mode);
  await fireAndWait(page);
  const lane = page.getByTestId('request-lane').first();
  // Lane times count from the timeline's origin (epoch ms), as the scrubber's values do not.
  const origin = Number(await page.getByTestId('view-timeline').getAttribute('data-origin'));
  const acceptedAt = origin + Number(await lane.getAttribute('data-accepted-at'));
  // The slow replay that follows a run moves the page a little every frame, so on a busy
  // machine Playwright may never see the lane "stable" for a pointer click: click it as a
  // user's click arrives, on the element, and check that it took.
  await lane.dispatchEvent('click');
  await expect(lane).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('tab-code').click();
  const code = page.getByTestId('view-code');
  await expect(code).toHaveAttribute('data-handler', `getUser.${mode}`);
  return { code, acceptedAt };
}

test('stepping back and forward moves the highlighted line in the code view', async ({ page }) => {
  const { code, acceptedAt } = await followFirstRequestInCode(page, 'blocking');
  // Just before that request reached the loop, then forward event by event until its line changes.
  const scrubber = page.getByTestId('scrubber');
  await scrubber.fill(String(acceptedAt - 0.5));
  const lines: string[] = [];
  for (let i = 0; i < 60 && new Set(lines.filter(Boolean)).size < 2; i += 1) {
    await page.getByTestId('step-forward').click();
    lines.push((await code.getAttribute('data-highlighted-line')) ?? '');
  }
  const seen = [...new Set(lines.filter(Boolean))];
  expect(seen.length).toBeGreaterThanOrEqual(2);
  const [first, second] = seen;
  await expect(code).toHaveAttribute('data-highlighted-line', second!);
  await expect(page.getByTestId('code-line-active')).toBeVisible();
  for (let i = 0; i < 60 && (await code.getAttribute('data-highlighted-line')) === second; i += 1) {
    await page.getByTestId('step-back').click();
  }
  await expect(code).toHaveAttribute('data-highlighted-line', first!);
});

test('the code view colours the handler and marks the statement a request waits on, not only its step line', async ({
  page,
}) => {
  const { code, acceptedAt } = await followFirstRequestInCode(page, 'nonblocking');
  // Syntax colours arrive once the highlighter has loaded.
  await expect.poll(() => code.locator('.code-line span[style*="color"]').count()).toBeGreaterThan(10);
  await page.getByTestId('scrubber').fill(String(acceptedAt - 0.5));
  const active = page.getByTestId('code-line-active');
  for (
    let i = 0;
    i < 80 && !((await active.count()) && (await active.textContent())?.includes("step('query')"));
    i += 1
  ) {
    await page.getByTestId('step-forward').click();
  }
  await expect(active).toContainText("step('query')");
  const statement = page.getByTestId('code-line-in-step');
  await expect(statement).toHaveCount(1);
  await expect(statement).toContainText('await users.findOne({ username })');
  // The Numbers tab names the driver the run's trace recorded.
  await page.getByTestId('tab-numbers').click();
  await expect(page.getByTestId('run-driver')).toHaveText(
    /^Database driver: mongodb \d+\.\d+\.\d+ \(Node\), awaited\.$/,
  );
});

test('an exported run imports as the same run', async ({ page }, testInfo) => {
  await openLab(page);
  await configure(page, 'blocking');
  await fireAndWait(page);
  const before = await acceptedTimes(page);
  const download = page.waitForEvent('download');
  await page.getByTestId('export-run').click();
  const file = testInfo.outputPath('exported-run.jsonl');
  await (await download).saveAs(file);
  const exported = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; rid?: string });
  expect(exported.filter((e) => e.type === 'client.done')).toHaveLength(10);

  await page.getByTestId('import-file').setInputFiles(file);
  await expect(page.getByTestId('import-note')).toContainText('Imported');
  await expect(page.getByTestId('request-lane')).toHaveCount(10);
  expect(await acceptedTimes(page)).toEqual(before);
});

async function photograph(page: Page, testInfo: TestInfo, size: string) {
  for (const view of VIEWS) {
    await page.getByTestId(`tab-${view}`).click();
    await expect(page.getByTestId(`view-${view}`)).toBeVisible();
    // Every word readable at this size: none out of its picture or over another.
    expect(await viewTextClashes(page.getByTestId(`view-${view}`)), `${view} at ${size}`).toEqual([]);
    const path = testInfo.outputPath(`${view}-${size}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${view}-${size}`, { path, contentType: 'image/png' });
  }
}

test('screenshots of every view at projector and phone sizes', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await loadBothModes(page);
  // Midway through the blocking run: the queue at the door and the held thread.
  const scrubber = page.getByTestId('scrubber');
  const [min, max] = [Number(await scrubber.getAttribute('min')), Number(await scrubber.getAttribute('max'))];
  await scrubber.fill(String(min + (max - min) * 0.6));
  await photograph(page, testInfo, '1920x1080');
  await page.setViewportSize({ width: 1366, height: 768 });
  await photograph(page, testInfo, '1366x768');
  await page.setViewportSize({ width: 390, height: 844 });
  await photograph(page, testInfo, '390x844');
});
