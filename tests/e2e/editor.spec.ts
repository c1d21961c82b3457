/**
 * Editing the handler in the Code view against the real lab: a compile error is marked at
 * its line and changes nothing; "Apply and run" serves the edit, and stepping through the
 * run moves the highlighted line through the edited code; "Reset to original" undoes it.
 */
import { expect, test, type Page } from '@playwright/test';
import { lineOf, replaceEditorText } from './labPage';

const FILE = 'getUser.nonblocking.ts';
const ADDED = [
  '  // three lines added above the query,',
  '  // so its marker moves down by three',
  '  // in the code that ran',
];

async function originalSource(page: Page): Promise<string> {
  const list = (await (await page.request.get('/api/handlers')).json()) as { file: string; source: string }[];
  return list.find((h) => h.file === FILE)!.source;
}

test.afterEach(async ({ page }) => {
  await page.request.delete(`/api/handlers/${FILE}`);
});

test('edit, apply and run: the highlighted line moves through the edited code; reset restores the original', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: '10 requests, 200 ms database' }).click();
  await page.getByTestId('mode-nonblocking').click();
  await expect(page.locator('.mode-pending')).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId('tab-code').click();
  const code = page.getByTestId('view-code');
  await expect(code).toHaveAttribute('data-handler', 'getUser.nonblocking');

  const original = await originalSource(page);
  await code.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByTestId('handler-editor')).toBeVisible();

  // A syntax error: marked at its line, nothing applied.
  const broken = original.replace(
    'const username = parseUsername(params.username);',
    'const username = parseUsername(params.username;',
  );
  await replaceEditorText(page, broken);
  await page.getByRole('button', { name: 'Apply and run' }).click();
  await expect(page.getByTestId('handler-editor')).toHaveAttribute(
    'data-problem-line',
    String(lineOf(broken, 'parseUsername(params.username;')),
  );
  await expect(page.locator('.cm-lint-marker-error')).toBeVisible();
  expect(
    ((await (await page.request.get('/api/handlers')).json()) as { file: string; edited: boolean }[]).find(
      (h) => h.file === FILE,
    )!.edited,
  ).toBe(false);

  // The edit that compiles: three lines above the query.
  const edited = original.replace("  step('query');", `${ADDED.join('\n')}\n  step('query');`);
  await replaceEditorText(page, edited);
  await page.getByRole('button', { name: 'Diff against original' }).click();
  await expect(page.locator('.cm-changedLine').first()).toBeVisible();
  await page.getByRole('button', { name: 'Apply and run' }).click();
  await expect(page.getByTestId('handler-editor')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(code).toHaveAttribute('data-edited', 'true');

  // Step through the run: the highlighted lines are the edited file's marker lines.
  await page.getByTestId('tab-timeline').click();
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
  await page.getByTestId('scrubber').fill(String(acceptedAt - 0.5));
  const seen = new Set<string>();
  for (let i = 0; i < 60 && !seen.has(String(lineOf(edited, "step('query')"))); i += 1) {
    await page.getByTestId('step-forward').click();
    seen.add((await code.getAttribute('data-highlighted-line')) ?? '');
  }
  expect(seen).toContain(String(lineOf(edited, "step('query')")));
  expect(lineOf(edited, "step('query')")).toBe(lineOf(original, "step('query')") + ADDED.length);
  await expect(page.getByTestId('code-line-active')).toContainText('step(');

  // Reset to original.
  await code.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Reset to original' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Back to the original' })).toBeVisible({ timeout: 60_000 });
  expect(
    ((await (await page.request.get('/api/handlers')).json()) as { file: string; edited: boolean }[]).find(
      (h) => h.file === FILE,
    )!.edited,
  ).toBe(false);
  await page.getByRole('button', { name: 'Close editor' }).click();
});

test('syntax and type errors are marked as you type, before anything is applied', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto('/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('mode-nonblocking').click();
  await expect(page.locator('.mode-pending')).toHaveCount(0, { timeout: 30_000 });
  await page.getByTestId('tab-code').click();
  const code = page.getByTestId('view-code');
  await expect(code).toHaveAttribute('data-handler', 'getUser.nonblocking');
  const original = await originalSource(page);
  await code.getByRole('button', { name: 'Edit' }).click();
  const check = page.getByTestId('editor-check');
  // The first check loads TypeScript and the driver's types.
  await expect(check).toHaveText('No syntax or type errors.', { timeout: 120_000 });

  // The forgotten await: a type error, marked as a warning, and Apply would still run it.
  await replaceEditorText(
    page,
    original.replace('const user = await users.findOne({ username });', 'const user = users.findOne({ username });'),
  );
  await expect(check).toContainText('1 type error', { timeout: 60_000 });
  await expect(check).toContainText('still runs it');
  await expect(page.locator('.cm-lint-marker-warning')).toBeVisible();

  // A syntax error: an error, to fix before applying.
  await replaceEditorText(
    page,
    original.replace(
      'const username = parseUsername(params.username);',
      'const username = parseUsername(params.username;',
    ),
  );
  await expect(check).toContainText('syntax error', { timeout: 60_000 });
  await expect(page.locator('.cm-lint-marker-error')).toBeVisible();

  // Nothing was applied by checking.
  expect(
    ((await (await page.request.get('/api/handlers')).json()) as { file: string; edited: boolean }[]).find(
      (h) => h.file === FILE,
    )!.edited,
  ).toBe(false);
  await page.getByRole('button', { name: 'Close editor' }).click();
});
