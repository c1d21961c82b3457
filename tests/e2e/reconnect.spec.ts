/**
 * The page survives the lab going away: it says so, keeps trying with backoff, and picks
 * up again (with the runs recorded before) once the lab is back on the same port.
 * Starts its own lab process, since it has to kill it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { stopChild } from '../../server/process/children';
import { spawnLabCli } from '../setup/labCli';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startLab(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawnLabCli(['--port', String(port), '--offline', '--data-dir', dataDir]);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the lab exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`the lab did not answer within 90 s:\n${output}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let dataDir = '';
let lab: ChildProcess | undefined;

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lab-reconnect-e2e-'));
});

test.afterAll(async () => {
  if (lab) await stopChild(lab, 5000);
  await rm(dataDir, { recursive: true, force: true });
});

test('reconnects after the lab restarts, and the runs recorded before are still there', async ({ page }) => {
  test.setTimeout(240_000);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  lab = await startLab(port, dataDir);

  const run = (await (
    await fetch(`${base}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requests: 5, concurrency: 5 }),
    })
  ).json()) as { id: string };
  await expect
    .poll(async () => ((await (await fetch(`${base}/api/runs/${run.id}`)).json()) as { status: string }).status, {
      timeout: 30_000,
    })
    .toBe('done');

  await page.goto(base);
  const status = page.getByTestId('connection-status');
  await expect(status).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });

  await stopChild(lab, 5000);
  lab = undefined;
  await expect(status).toHaveAttribute('data-state', 'reconnecting', { timeout: 15_000 });
  // The page tells a person what is going on, in words, not only by colour.
  await expect(page.getByText(/reconnecting/i).first()).toBeVisible();

  lab = await startLab(port, dataDir);
  await expect(status).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  const runs = (await (await fetch(`${base}/api/runs`)).json()) as Array<{ id: string; status: string }>;
  expect(runs.map((r) => r.id)).toContain(run.id);
});
