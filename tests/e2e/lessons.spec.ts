/**
 * The lesson player against the real lab (the runner starts it with the embedded
 * database; see playwright.config.ts): lesson 2 walked step by step, its experiment run
 * live, its question answered wrong and then right.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

/** Every lesson folder in the course (`lessons/NN-name/`): the list shows them all. */
const LESSON_COUNT = readdirSync(path.resolve(import.meta.dirname, '../../lessons')).filter((name) =>
  /^\d+-/.test(name),
).length;

function failOnConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    // The page's favicon is the app shell's business, not the lessons'.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) {
      errors.push(`${message.text()} ${message.location().url}`);
    }
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

const stepHeading = (page: Page) => page.locator('#step-heading');

test('walks through lesson 2 step by step, runs its experiment live and checks its question', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const errors = failOnConsoleErrors(page);
  await page.goto('/lessons');
  await expect(page.getByRole('heading', { level: 1, name: 'Lessons' })).toBeVisible();
  await expect(page.locator('.lesson-list li')).toHaveCount(LESSON_COUNT);
  await page.getByRole('link', { name: /2\.\s*The blocking call/ }).click();

  // Step 1: the blocking handler's source, as it runs, with its query step marked.
  await expect(page).toHaveURL(/\/lessons\/the-blocking-call\/1$/);
  await expect(stepHeading(page)).toContainText('Step 1 of 3');
  await expect(stepHeading(page)).toContainText('A driver that waits');
  const marked = page.locator('.lesson-code .line.marked');
  await expect(marked.first()).toBeVisible();
  await expect(marked.filter({ hasText: 'users.findOne' })).toHaveCount(1);
  await expect(page.locator('.lesson-code figcaption')).toContainText('getUser.blocking.ts');

  // Next and back by keyboard, and by the links.
  await page.keyboard.press('Alt+ArrowRight');
  await expect(page).toHaveURL(/\/the-blocking-call\/2$/);
  await expect(stepHeading(page)).toContainText('Ten at once');
  await page.keyboard.press('k');
  await expect(page).toHaveURL(/\/the-blocking-call\/1$/);
  await page.keyboard.press('j');
  await expect(page).toHaveURL(/\/the-blocking-call\/2$/);

  // Step 2: run the experiment live: ten requests through the blocking driver.
  await page.getByRole('button', { name: 'Run this experiment' }).click();
  const status = page.locator('.lesson-run-status');
  await expect(status).toHaveText(/^Done: 10 answered/, { timeout: 60_000 });
  const config = await (await request.get('/api/config')).json();
  expect(config).toMatchObject({ mode: 'blocking', dbLatencyMs: 100, cpuMs: 0, workers: 1, executorThreads: 0 });
  const slowest = page.locator('tr[data-metric="latencyMaxMs"] td[data-measured]');
  const slowestMs = Number((await slowest.textContent())?.replace(/[^\d]/g, ''));
  // Served one after another: the tenth waits for nine round trips of 100 ms first.
  expect(slowestMs).toBeGreaterThanOrEqual(800);
  await expect(page.locator('tr[data-metric="latencyMaxMs"]')).toContainText(/about \d[\d,]* ms/);
  // The code follows the visualizer: the line the followed request is on is marked live.
  const live = page.locator('.lesson-code .line.live');
  await expect(live).toHaveCount(1);
  await expect(live).toContainText(/step\('(parse|cpu|query|respond)'\)/);
  await expect(page.locator('.lesson-code-live')).toContainText(/the request on the stage is at/);
  // The lab's internal request ids are not for students.
  await expect(page.locator('.lesson-player')).not.toContainText(/request [a-z0-9]{6,}-[a-z0-9]+/);

  // The check question: wrong first, then right; feedback is announced.
  const check = page.getByRole('group', { name: /When is the tenth one answered/ });
  const feedback = page.locator('.lesson-feedback');
  await expect(feedback).toHaveAttribute('aria-live', 'polite');
  await check.getByRole('radio', { name: 'After about 100 ms, like the others.' }).check();
  await page.getByRole('button', { name: 'Check answer' }).click();
  await expect(feedback).toContainText('Not quite.');
  await expect(feedback).toContainText('non-blocking driver');
  await expect(stepHeading(page)).not.toContainText('✓');
  await check.getByRole('radio', { name: 'After about 1,000 ms.' }).check();
  await page.getByRole('button', { name: 'Check answer' }).click();
  await expect(feedback).toContainText('Right.');
  await expect(stepHeading(page)).toContainText('✓');

  // Step 3 by the Next link; then the list shows the progress, kept across a reload.
  await page.getByRole('link', { name: 'Next →' }).click();
  await expect(stepHeading(page)).toContainText('Everyone waits, even the timers');
  await page.screenshot({ path: test.info().outputPath('lesson-2-step-3.png'), fullPage: true });
  await page.goto('/lessons');
  await expect(page.locator('.lesson-list li').nth(1)).toContainText('1 of 3 checks');
  expect(errors).toEqual([]);
});

test('opens a deep link directly and says so when a step does not exist', async ({ page }) => {
  await page.goto('/lessons/from-callbacks-to-async-await/5');
  await expect(stepHeading(page)).toContainText('The fixes, and how Tornado writes it today');
  // The Python panes are highlighted and their fixes marked.
  await expect(page.locator('.lesson-code pre[data-lang="python"]')).toHaveCount(2);
  await expect(page.locator('.lesson-code .line.marked').filter({ hasText: 'port=27017' })).toHaveCount(1);
  await page.goto('/lessons/from-callbacks-to-async-await/9');
  await expect(page.getByRole('heading', { name: 'No such lesson step' })).toBeVisible();
});

test('lesson 3 step 1 at 1440x900: the run plays on a stage in view, then replays slowly by itself', async ({
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const errors = failOnConsoleErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/lessons/the-non-blocking-driver/1');
  await expect(stepHeading(page)).toContainText('Step 1 of 3');
  await page.getByRole('button', { name: 'Run this experiment' }).click();

  // The stage is beside the text: the loop and the replay controls are on screen, not below the fold.
  const loop = page.getByTestId('view-loop');
  const controls = page.getByTestId('playback');
  await expect(loop).toBeInViewport({ ratio: 1 });
  await expect(controls).toBeInViewport({ ratio: 1 });
  await expect(page.locator('.lesson-run-status')).toHaveText(/^Done: 10 answered/, { timeout: 60_000 });
  // The promise is the model plus this machine's measured base round trip, and the run is judged against it.
  await expect(page.getByTestId('calibration')).toContainText(/base round trip: \d+ ms/);
  await expect(page.locator('tr[data-metric="durationMs"] td[data-promise]')).toHaveText(/^about \d+ ms here$/);
  await expect(page.getByTestId('lesson-verdict')).toHaveAttribute('data-verdict', /as-promised|missed|busy/);

  // The finished run replays by itself, slowly, and says so.
  const badge = page.getByTestId('replay-badge');
  await expect(badge).toHaveAttribute('data-replay', 'auto', { timeout: 15_000 });
  await expect(badge).toContainText('Slow replay of the run that just finished');
  await expect(controls.locator('.speed strong')).toHaveText('0.10×');
  const scrubber = page.getByTestId('scrubber');
  const min = Number(await scrubber.getAttribute('min'));
  await expect.poll(async () => Number(await scrubber.inputValue()) - min, { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(loop).toBeInViewport({ ratio: 1 });
  await expect(controls).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('view-timeline')).toBeInViewport();
  await expect(page.getByTestId('request-lane')).toHaveCount(10);
  await page.screenshot({ path: testInfo.outputPath('lesson-3-step-1-1440x900.png') });

  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(loop).toBeInViewport({ ratio: 1 });
  await expect(controls).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('view-timeline')).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: testInfo.outputPath('lesson-3-step-1-1920x1080.png') });

  // "Open this run in the full lab" opens the same run, not an empty lab.
  await page.getByRole('link', { name: /Open this run in the full lab/ }).click();
  await expect(page).toHaveURL(/\/\?run=/);
  await expect(page.getByTestId('request-lane')).toHaveCount(10);
  const runId = new URL(page.url()).searchParams.get('run');
  expect(runId).toBeTruthy();
  expect(await page.evaluate(() => window.__lab?.playback().runId)).toBe(runId);
  // The same link in a new tab loads the run from the lab.
  const other = await page.context().newPage();
  await other.goto(`/?run=${encodeURIComponent(runId!)}`);
  await expect(other.getByTestId('request-lane')).toHaveCount(10);
  expect(await other.evaluate(() => window.__lab?.playback().runId)).toBe(runId);
  await other.close();
  expect(errors).toEqual([]);
});

test("a live run the lab refuses (e.g. too few open files for 10,000) offers the step's recorded run instead", async ({
  page,
}) => {
  test.setTimeout(120_000);
  // The lab's refusal is tested against the real limit in tests/integration; here only the
  // page's answer to it matters, so this one POST is answered as the lab answers a limit too low.
  await page.route('**/api/runs', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({
            error: 'the open-file limit is 1024 (ulimit -n), and 10000 long-polls need about 10512 open files',
          }),
        })
      : route.fallback(),
  );
  await page.goto('/lessons/ten-thousand-waiting-clients/2');
  await page.getByRole('button', { name: 'Run this experiment' }).click();
  const status = page.locator('.lesson-run-status');
  await expect(status).toContainText('open-file limit is 1024', { timeout: 60_000 });
  await page.getByRole('button', { name: "Watch this step's recorded run" }).click();
  await expect(status).toHaveText(/^Replaying a recorded run: 10,001 answered\./, { timeout: 60_000 });
});
