/**
 * The static build with no lab server: dist/ served by a plain file server (this spec's
 * own, on a free port, with the usual single-page fallback to index.html and no API, no
 * WebSocket). Lesson 3's experiment replays the run recorded on the real lab
 * (public/recordings), and the page says it is a recording. Ignores the lab the runner
 * starts on baseURL: nothing here may reach it.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const DIST = path.resolve(import.meta.dirname, '../../dist');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.gz': 'application/gzip',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

let server: Server;
let origin = '';
const served: string[] = [];

test.beforeAll(async () => {
  expect(existsSync(path.join(DIST, 'index.html')), 'run `npx vite build` first (tests/e2e/run.mjs does)').toBe(true);
  server = createServer((req, res) => {
    served.push(`${req.method} ${req.url}`);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://static').pathname);
    const file = path.join(DIST, path.normalize(pathname));
    const found = file.startsWith(DIST) && existsSync(file) && statSync(file).isFile();
    // Single-page fallback: any other path (a deep link, even /api/health) gets the app.
    const target = found ? file : path.join(DIST, 'index.html');
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream' });
    createReadStream(target).pipe(res);
  });
  // No 'upgrade' listener: Node refuses the WebSocket to /api/live, as a static host would.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test("the static build replays lesson 3's recorded run and says it is a recording", async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // The refused WebSocket is the expected "no lab here"; anything else is a bug.
    if (message.type() === 'error' && !/WebSocket connection to .*\/api\/live/.test(message.text()))
      errors.push(message.text());
  });

  await page.goto(`${origin}/lessons/the-non-blocking-driver/1`);
  await expect(page.locator('#step-heading')).toContainText('Step 1 of 3');
  const badge = page.getByTestId('backend-badge');
  await expect(badge).toHaveText('Recorded run (no lab server)');
  await expect(page.locator('#live-heading')).toHaveText('The loop, replaying a recorded run');

  // The recording replays in a blink (about 110 ms at full speed), quicker than any poll:
  // the page itself counts the most tokens the loop view ever drew, on every change.
  await page.evaluate(() => {
    const seen = { max: 0 };
    (window as unknown as { maxTokensSeen: typeof seen }).maxTokensSeen = seen;
    const read = () => {
      for (const el of document.querySelectorAll('[data-testid="view-loop"]'))
        seen.max = Math.max(seen.max, Number(el.getAttribute('data-tokens')) || 0);
    };
    new MutationObserver(read).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-tokens'],
    });
  });
  await page.getByRole('button', { name: 'Run this experiment' }).click();
  const status = page.locator('.lesson-run-status');
  await expect(status).toHaveText(/^Replaying a recorded run: 10 answered\./);

  // The recorded requests move through the visualizer: tokens appear, then all ten are done.
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { maxTokensSeen: { max: number } }).maxTokensSeen.max))
    .toBeGreaterThan(0);
  await expect(page.getByTestId('done-count')).toHaveText('✓ 10 / 10 done', { timeout: 30_000 });

  // The numbers are the recording's (ten requests through a real 100 ms round trip), beside the model's.
  await expect(page.locator('.lesson-results thead')).toContainText('Recorded run');
  const batch = await page.locator('tr[data-metric="durationMs"] td[data-measured]').textContent();
  expect(Number(batch?.replace(/[^\d]/g, ''))).toBeGreaterThanOrEqual(100);

  // Nothing tried to change a lab: only files were fetched (the recording among them).
  expect(served.filter((line) => !line.startsWith('GET '))).toEqual([]);
  expect(served).toContain('GET /recordings/the-non-blocking-driver/1.jsonl');
  await page.screenshot({ path: test.info().outputPath('static-lesson-3.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('the static build replays the recorded 10,000-connection run, gzipped, and shows what it cost', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/WebSocket connection to .*\/api\/live/.test(message.text()))
      errors.push(message.text());
  });
  await page.goto(`${origin}/lessons/ten-thousand-waiting-clients/2`);
  await expect(page.getByTestId('backend-badge')).toHaveText('Recorded run (no lab server)');
  await page.getByRole('button', { name: 'Run this experiment' }).click();
  // Ten thousand long-polls, and the one request that published the news.
  await expect(page.locator('.lesson-run-status')).toHaveText(/^Replaying a recorded run: 10,001 answered\./, {
    timeout: 60_000,
  });
  // The line under the loop: the recorded run held all ten thousand at once, and its loop
  // idled while they waited (under 10 ms; taking them in is the larger figure beside it).
  await expect(page.locator('.held-connections').first()).toContainText(
    /^10,\d{3} connections held · [\d.]+ KB each · loop delay \d ms while they waited \([\d,]+ ms as they arrived\)/,
    { timeout: 60_000 },
  );
  expect(served).toContain('GET /recordings/ten-thousand-waiting-clients/2.jsonl.gz');
  expect(errors).toEqual([]);
});
