/**
 * Editing the Tornado subject's Python handler in the Code view against the real lab: the
 * editor is Python, a syntax error is marked at its line as you type and on "Apply and run"
 * (nothing applied), a valid edit serves and runs, and "Reset to original" undoes it.
 * Without Python it skips loudly, and fails under CI.
 */
import { expect, test, type Page } from '@playwright/test';
import { lineOf, replaceEditorText } from './labPage';
import type { HealthResponse } from '../../common/api';

const FILE = 'get_user_nonblocking.py';
const ADDED = [
  '        # three lines added above the query,',
  '        # so its marker moves down by three',
  '        # in the code that ran',
];

async function handler(page: Page): Promise<{ file: string; source: string; edited: boolean; runtime: string }> {
  const list = (await (await page.request.get('/api/handlers')).json()) as {
    file: string;
    source: string;
    edited: boolean;
    runtime: string;
  }[];
  return list.find((h) => h.file === FILE)!;
}

test.afterEach(async ({ page }) => {
  await page.request.delete(`/api/handlers/${FILE}`);
  await page.request.put('/api/config', { data: { runtime: 'node' } });
});

test('edit a Python handler: syntax errors marked, apply and run, reset', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  const health = (await (await page.request.get('/api/health')).json()) as HealthResponse;
  if (!health.runtimes?.tornado?.available) {
    const message = 'Tornado runtime not found: the Python handler editor e2e test did NOT run';
    if (process.env.CI) throw new Error(message);
    console.warn(`\n${'!'.repeat(78)}\n${message}\n${'!'.repeat(78)}\n`);
    return;
  }
  await page.getByRole('button', { name: '10 requests, 200 ms database' }).click();
  // The Code view is open on Node's handler when the runtime switches: it offers the Python one's editor.
  await page.getByTestId('tab-code').click();
  await expect(page.getByTestId('view-code').getByRole('button', { name: 'Edit' })).toBeVisible();
  await page.getByTestId('runtime-tornado').click();
  await expect
    .poll(async () => (await (await page.request.get('/api/config')).json()).runtime, { timeout: 60_000 })
    .toBe('tornado');
  await page.getByTestId('mode-nonblocking').click();
  await expect(page.locator('.mode-pending')).toHaveCount(0, { timeout: 60_000 });
  await page.getByTestId('tab-code').click();
  const code = page.getByTestId('view-code');
  await expect(code).toHaveAttribute('data-handler', FILE);

  const original = (await handler(page)).source;
  await code.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByTestId('handler-editor')).toBeVisible();
  await expect(page.getByRole('textbox', { name: `Edit ${FILE}` })).toBeVisible();
  const check = page.getByTestId('editor-check');
  await expect(check).toContainText('No syntax errors', { timeout: 60_000 });

  // A syntax error: marked as you type, and again at its line by "Apply and run"; nothing applied.
  const broken = original.replace('def get(self, username):', 'def get(self, username)');
  await replaceEditorText(page, broken);
  await expect(check).toContainText('1 syntax error', { timeout: 60_000 });
  await expect(page.locator('.cm-lint-marker-error')).toBeVisible();
  await page.getByRole('button', { name: 'Apply and run' }).click();
  await expect(page.getByTestId('handler-editor')).toHaveAttribute(
    'data-problem-line',
    String(lineOf(broken, 'def get(self, username)')),
  );
  expect((await handler(page)).edited).toBe(false);

  // A valid edit: served, run, and the Code view shows the edited source.
  const edited = original.replace("        self.step('query')", `${ADDED.join('\n')}\n        self.step('query')`);
  await replaceEditorText(page, edited);
  await page.getByRole('button', { name: 'Apply and run' }).click();
  await expect(page.getByTestId('handler-editor')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(code).toHaveAttribute('data-edited', 'true');
  expect(await handler(page)).toMatchObject({ edited: true, source: edited, runtime: 'tornado' });
  await expect(code).toContainText('so its marker moves down by three');

  // Reset to original.
  await code.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Reset to original' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Back to the original' })).toBeVisible({ timeout: 60_000 });
  expect((await handler(page)).edited).toBe(false);
  await page.getByRole('button', { name: 'Close editor' }).click();
});
