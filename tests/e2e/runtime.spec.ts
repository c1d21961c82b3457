/**
 * The runtime switch: the lab runs the Tornado subject when Python can, the runs and the
 * Code view show its Python handler, the switch goes back to Node and Compare puts the two
 * runtimes' runs side by side, each labelled with its driver; without Python the
 * switch says so and shows the install command.
 */
import { expect, test } from '@playwright/test';
import type { HealthResponse } from '../../common/api';

test('switches the server under study to Tornado and back', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('runtime-node')).toHaveAttribute('aria-checked', 'true');
  const health = (await (await page.request.get('/api/health')).json()) as HealthResponse;
  const tornado = health.runtimes?.tornado;
  expect(tornado).toBeDefined();
  if (!tornado?.available) {
    await expect(page.getByTestId('runtime-unavailable')).toContainText(
      'sudo apt-get install python3-tornado python3-pymongo python3-motor',
    );
    await page.getByTestId('runtime-tornado').click();
    await expect(page.getByTestId('runtime-node')).toHaveAttribute('aria-checked', 'true');
    return;
  }
  await expect(page.getByTestId('runtime-tornado')).toContainText(tornado.asyncDriver);
  try {
    await page.getByRole('button', { name: '10 requests, 200 ms database' }).click();
    await page.getByTestId('runtime-tornado').click();
    await expect(page.getByTestId('runtime-tornado')).toHaveAttribute('aria-checked', 'true');
    await expect
      .poll(async () => (await (await page.request.get('/api/config')).json()).runtime, { timeout: 60_000 })
      .toBe('tornado');
    await expect(page.locator('.mode-pending')).toHaveCount(0, { timeout: 60_000 });
    await page.getByTestId('fire').click();
    await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await expect(page.getByTestId('request-lane')).toHaveCount(10);
    await page.getByTestId('tab-code').click();
    await expect(page.getByTestId('view-code')).toContainText('server/subject-tornado/handlers/get_user_');
    await expect(page.getByTestId('view-code')).toContainText("self.step('query')");

    // The same batch on Node, then Compare puts the two runtimes side by side, each naming its driver.
    await page.getByTestId('runtime-node').click();
    await expect
      .poll(async () => (await (await page.request.get('/api/config')).json()).runtime, { timeout: 60_000 })
      .toBe('node');
    await expect(page.locator('.mode-pending')).toHaveCount(0, { timeout: 60_000 });
    await page.getByTestId('fire').click();
    await expect(page.getByTestId('run-state')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
    await page.getByTestId('tab-compare').click();
    await page.getByTestId('compare-by-runtime').click();
    await expect(page.getByTestId('compare-by-runtime')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.getByTestId('compare-served-by-node')).toContainText(/^Node · mongodb /);
    await expect(page.getByTestId('compare-served-by-tornado')).toContainText(/^Tornado · (Motor|PyMongo|pymongo) /);
  } finally {
    // The lab is shared by every spec: leave it on Node.
    await page.request.put('/api/config', { data: { runtime: 'node' } });
  }
  await page.reload();
  await expect(page.getByTestId('runtime-node')).toHaveAttribute('aria-checked', 'true');
});
