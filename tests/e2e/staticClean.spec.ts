/**
 * The static build on a plain file host (no lab behind it): it knows it is static, so it
 * calls no API, opens no live socket, logs no console error and no request fails, on the
 * lab page and the lessons; it offers "Connect to a lab at…" instead. The page the lab
 * itself serves (baseURL) is not marked static.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

let server: Server;
let origin = '';
const served: string[] = [];

test.beforeAll(async () => {
  expect(existsSync(path.join(DIST, 'index.html')), 'run `npx vite build` first (tests/e2e/run.mjs does)').toBe(true);
  server = createServer((req, res) => {
    served.push(`${req.method} ${req.url}`);
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://static').pathname);
    const file = path.join(DIST, path.normalize(pathname));
    const found = file.startsWith(DIST) && existsSync(file) && statSync(file).isFile();
    if (!found && /\.\w+$/.test(pathname)) {
      res.writeHead(404).end();
      return;
    }
    const target = found ? file : path.join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream' });
    createReadStream(target).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on('websocket', (socket) => problems.push(`websocket: ${socket.url()}`));
  return problems;
}

for (const route of ['/', '/lessons']) {
  test(`the static site at ${route}: no API call, no console error, no failed request`, async ({ page }) => {
    const problems = watch(page);
    served.length = 0;
    await page.goto(origin + route);
    await expect(page.getByTestId('connect-lab')).toBeVisible();
    await expect(page.getByLabel('Connect to a lab at')).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(served.filter((line) => / \/(api|subject)\//.test(line))).toEqual([]);
    expect(problems).toEqual([]);
  });
}

test('the connect field checks the address before remembering it', async ({ page }) => {
  await page.goto(origin + '/');
  await page.getByLabel('Connect to a lab at').fill('ftp://example');
  await page.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toContainText('http://');
  expect(await page.evaluate(() => localStorage.length)).toBe(0);
});

test('the page the lab serves is not the static site', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('meta[name="lab-backend"]')).toHaveAttribute('content', 'lab');
  await expect(page.getByTestId('connect-lab')).toHaveCount(0);
});
