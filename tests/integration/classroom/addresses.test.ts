/**
 * `npm start -- --classroom` listens on every interface; what it prints must be addresses a
 * person can open: loopback for the presenter's own browser, the LAN address for phones,
 * never http://0.0.0.0:PORT. Runs the real CLI (server/cli.ts) on a free port: from the test
 * run's build, as `npm start` runs it, when there is one (tests/setup/labCli.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { lanAddress } from '../../../server/lab/classroom/joinUrl';
import { stopChild } from '../../../server/process/children';
import { spawnLabCli } from '../../setup/labCli';

let child: ChildProcess;
let output = '';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lab-addresses-'));

beforeAll(async () => {
  child = spawnLabCli(['--classroom', '--port', '0', '--offline', '--data-dir', dataDir], inject('labBuildDir'));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const deadline = Date.now() + 150_000;
  while (!/classroom\/presenter\?token=\S+/.test(output)) {
    if (child.exitCode !== null) throw new Error(`the lab exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline) throw new Error(`no presenter link printed:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 180_000);

afterAll(async () => {
  if (child) await stopChild(child, 5000);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('classroom start-up on every interface', () => {
  it('prints no 0.0.0.0 address', () => {
    expect(output).not.toContain('0.0.0.0');
  });

  it('gives this machine a loopback URL that answers', async () => {
    const url = /Event Loop Lab on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url, output).toBeDefined();
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect(output).toMatch(new RegExp(`presenter.*\\n\\s+${url!.replace(/\./g, '\\.')}/classroom/presenter\\?token=`));
  });

  it('gives students the LAN address, which answers too', async () => {
    const join = /students join at (\S+)/.exec(output)?.[1];
    const port = /Event Loop Lab on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    const lan = lanAddress();
    expect(join).toBe(`http://${lan.includes(':') ? `[${lan}]` : lan}:${port}/join`);
    expect(output).toContain(`other devices on your network: http://${lan}:${port}`);
    expect((await fetch(join!, { headers: { accept: 'text/html' } })).status).toBe(200);
  });
});
