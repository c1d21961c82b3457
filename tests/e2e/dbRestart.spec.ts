/**
 * A killed database, as the reader sees it: the lab's own database process gets `kill -9`,
 * and the status bar says it is being restarted (with the keeper's reason), then that it is
 * back, without a reload. The lab here is a process of this test's own (not the shared one
 * the other specs use), so killing its database disturbs nothing else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ChildProcess } from 'node:child_process';
import { stopChild } from '../../server/process/children';
import { spawnLabCli } from '../setup/labCli';

let lab: ChildProcess;
let url: string;
let dataDir: string;
let output = '';

test.beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'lab-db-restart-'));
  lab = spawnLabCli(['--host', '127.0.0.1', '--port', '0', '--offline', '--data-dir', dataDir]);
  lab.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  lab.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  await expect
    .poll(() => /Event Loop Lab on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], { timeout: 120_000 })
    .toBeTruthy();
  url = /Event Loop Lab on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
});

// The lab's own output (the keeper's and the subject's lines) goes with a failure's report.
test.afterEach(async () => {
  const info = test.info();
  if (info.status !== info.expectedStatus) await info.attach('lab output', { body: output, contentType: 'text/plain' });
});

test.afterAll(async () => {
  if (lab) await stopChild(lab, 5000);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The lab's embedded database: the process running the embedded server somewhere under the lab, if one runs. */
function databasePid(): number | undefined {
  const table = execFileSync('ps', ['-ww', '-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args! }));
  const parent = new Map(table.map((p) => [p.pid, p.ppid]));
  const underLab = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === lab.pid) return true;
    return false;
  };
  return table.find((p) => /embedded/.test(p.args) && underLab(p.pid))?.pid;
}

test('the status bar says the database is being restarted after kill -9, then that it is back', async ({ page }) => {
  test.setTimeout(180_000);
  await page.goto(url);
  const status = page.getByTestId('database-status');
  await expect(status).toHaveAttribute('data-state', 'up', { timeout: 60_000 });
  // Every state and text the pill shows, recorded as it changes: the restart may last only a second.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { dbSeen: string[] }).dbSeen = seen;
    const pill = document.querySelector('[data-testid="database-status"]')!;
    new MutationObserver(() => seen.push(`${pill.getAttribute('data-state')}: ${pill.textContent}`)).observe(pill, {
      attributes: true,
      childList: true,
      subtree: true,
      characterData: true,
    });
  });
  const pid = databasePid();
  expect(pid).toBeDefined();
  process.kill(pid!, 'SIGKILL');
  const seen = () => page.evaluate(() => (window as unknown as { dbSeen: string[] }).dbSeen);
  // The pill says the database is being restarted, with the keeper's reason ...
  await expect
    .poll(async () => (await seen()).some((s) => s.startsWith('restarting: ') && /is being restarted \(.+\)/.test(s)), {
      timeout: 60_000,
    })
    .toBe(true);
  // ... then that it is back, without a reload: a new database process under the lab.
  await expect.poll(async () => (await seen()).at(-1), { timeout: 60_000 }).toMatch(/^up: ● Database: /);
  expect(databasePid()).not.toBe(pid);
  expect(output).toMatch(/restart/i);
});
