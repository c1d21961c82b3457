/**
 * The lesson player against the real lab (the runner starts it with the embedded
 * database; see playwright.config.ts): lesson 2 walked step by step, its experiment run
 * live, its question answered wrong and then right.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

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

test('walks through lesson 2 step by step, runs its experiment live and checks its question', async ({ page, request }) => {
  test.setTimeout(120_000);
  const errors = failOnConsoleErrors(page);
  await page.goto('/lessons');
  await expect(page.getByRole('heading', { level: 1, name: 'Lessons' })).toBeVisible();
  await expect(page.locator('.lesson-list li')).toHaveCount(10);
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
  await expect(page.locator('tr[data-metric="latencyMaxMs"]')).toContainText('about 1000 ms');
  // The code follows the visualizer: the line the followed request is on is marked live.
  const live = page.locator('.lesson-code .line.live');
  await expect(live).toHaveCount(1);
  await expect(live).toContainText(/step\('(parse|cpu|query|respond)'\)/);
  await expect(page.locator('.lesson-code-live')).toContainText(/request \S+ is at/);

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

test('a lesson step has no accessibility violations', async ({ page }) => {
  await page.goto('/lessons/the-blocking-call/2');
  await expect(page.locator('.lesson-code .line.marked').first()).toBeVisible();
  const results = await new AxeBuilder({ page }).include('.lesson-player').exclude('.lesson-live').analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
});
