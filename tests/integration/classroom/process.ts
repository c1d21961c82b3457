/**
 * Starts `npm start -- --classroom` as a real process (the same entry, server/cli.ts) on
 * 127.0.0.1 and a free port, and reads its join URL and presenter token from what it
 * prints, as a person would. Used by the load test and the browser test.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { stopChild } from '../../../server/process/children';
import { spawnLabCli } from '../../setup/labCli';

export interface LabProcess {
  child: ChildProcess;
  url: string;
  joinUrl: string;
  presenterToken: string;
  output: () => string;
  /** Resident memory of the lab process itself (not its database or subject), bytes. */
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `extraArgs` go to the CLI as they are, e.g. ['--joins-per-minute', '1000'] for a room simulated from one address.
 * `buildDir`: a compiled server to run the lab from (a Vitest run's, tests/setup/buildOnce.ts), see labCli.ts.
 */
export async function startClassroomProcess(
  dataDir: string,
  timeoutMs = 120_000,
  extraArgs: string[] = [],
  buildDir?: string,
): Promise<LabProcess> {
  const child = spawnLabCli(
    ['--classroom', '--host', '127.0.0.1', '--port', '0', '--offline', '--data-dir', dataDir, ...extraArgs],
    buildDir,
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const deadline = Date.now() + timeoutMs;
  const link = () => /(http:\/\/127\.0\.0\.1:\d+)\/classroom\/presenter\?token=([\w-]+)/.exec(text);
  let found: RegExpExecArray | null;
  while (!(found = link())) {
    if (child.exitCode !== null) throw new Error(`the lab exited (${child.exitCode}):\n${text}`);
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`the lab did not print its presenter link within ${timeoutMs} ms:\n${text}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = found[1]!;
  const joinUrl = /students join at (\S+)/.exec(text)?.[1] ?? '';
  return {
    child,
    url,
    joinUrl,
    presenterToken: found[2]!,
    output: () => text,
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    },
    stop: () => stopChild(child, 5000),
  };
}
