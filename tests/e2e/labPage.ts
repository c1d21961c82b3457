/**
 * The lab page as the e2e specs drive it: through its own controls, as a reader would.
 */
import { expect, type Page } from '@playwright/test';

export const VIEWS = ['timeline', 'code', 'numbers', 'compare'] as const;

export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} ${message.location().url}`);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function openLab(page: Page) {
  await page.goto('/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
}

/** Sets the lab up through the page's own controls: the preset, then the mode switch. */
export async function configure(page: Page, mode: 'blocking' | 'nonblocking') {
  await page.getByRole('button', { name: '10 requests, 200 ms database' }).click();
  await page.getByTestId(`mode-${mode}`).click();
  await expect(page.getByTestId(`mode-${mode}`)).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('.mode-pending')).toHaveCount(0, { timeout: 30_000 });
  const config = await (await page.request.get('/api/config')).json();
  expect(config).toMatchObject({ mode, dbLatencyMs: 200 });
}

export async function fireAndWait(page: Page) {
  await page.getByTestId('fire').click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(page.getByTestId('request-lane')).toHaveCount(10);
}

/** When the subject's loop picked each request up, in ms from the run's start, sorted. */
export async function acceptedTimes(page: Page): Promise<number[]> {
  await expect(page.locator('[data-testid="request-lane"][data-accepted-at=""]')).toHaveCount(0);
  const values = await page
    .getByTestId('request-lane')
    .evaluateAll((lanes) => lanes.map((lane) => Number(lane.getAttribute('data-accepted-at'))));
  return values.sort((a, b) => a - b);
}

/** A run in each mode, blocking last: every view then has something to show. */
export async function loadBothModes(page: Page) {
  await openLab(page);
  for (const mode of ['nonblocking', 'blocking'] as const) {
    await configure(page, mode);
    await fireAndWait(page);
  }
}

/** The line (1-based) of the first line of `source` that contains `text`. */
export const lineOf = (source: string, text: string) => source.split('\n').findIndex((line) => line.includes(text)) + 1;

/** Replaces everything in the open handler editor with `text`, as typing would. */
export async function replaceEditorText(page: Page, text: string) {
  const editor = page.getByTestId('handler-editor').locator('.cm-content');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}
