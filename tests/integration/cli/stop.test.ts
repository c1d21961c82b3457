/**
 * Stopping `npm start` the way process managers do: a signal to the top process only
 * (docker stop, systemd), or that process vanishing outright. Nothing may be left running.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../subject/harness';
import { alive, commandOf, descendants, portAnswers, startNpm, type StartedNpm } from './processTree';

const START_TIMEOUT_MS = 240_000;
let started: StartedNpm | undefined;

afterEach(async () => {
  await started?.cleanup();
  started = undefined;
});

async function untilGone(pids: number[], what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const still = await alive(pids);
    if (still.length === 0) return;
    if (Date.now() > deadline) {
      const names = await Promise.all(still.map(async (pid) => `${pid} ${await commandOf(pid)}`));
      throw new Error(`after ${what}, still running:\n${names.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function treeOf(npm: StartedNpm): Promise<number[]> {
  const tree = await descendants(npm.npm.pid!);
  const commands = await Promise.all(tree.map(commandOf));
  // One node process for the lab (no wrapper in between: server/start.mjs runs the lab in
  // its own process), the database, the latency proxy and the subject, at least. (npm may
  // run the script through `sh -c`.)
  expect(commands.filter((c) => /^(\S*\/)?node /.test(c) && /server\/(start\.mjs|cli\.ts)/.test(c))).toHaveLength(1);
  // Every process from the build npm start checked (build/server/), not through tsx.
  expect(commands.some((c) => c.includes('build/server/embedded.mjs'))).toBe(true);
  expect(commands.some((c) => c.includes('build/server/proxy.mjs'))).toBe(true);
  expect(commands.some((c) => c.includes('build/server/subject.mjs'))).toBe(true);
  expect(commands.filter((c) => c.includes('tsx'))).toEqual([]);
  return tree;
}

describe('npm start stops completely', () => {
  it(
    'leaves no process and frees its port when only npm gets SIGTERM',
    async () => {
      started = await startNpm(START_TIMEOUT_MS);
      const tree = await treeOf(started);
      expect(await portAnswers(started.port)).toBe(true);
      // The start-up line: the lab's code loaded from the build (not "node + tsx"), every part
      // named with its time, and the total no less than the longest part.
      await eventually(() => /ready in \d+\.\d s \(.*\)/.test(started!.output()));
      const line = /ready in (\d+\.\d) s \((.*)\)/.exec(started.output())!;
      const parts = line[2]!.split(', ').map((part) => /^(.+) (\d+\.\d) s$/.exec(part)!);
      expect(parts.map((part) => part[1])).toEqual(
        expect.arrayContaining(['database', 'lab code', 'node', 'proxy + subject', 'seed', 'UI']),
      );
      expect(parts[0]![1]).toBe('node');
      expect(Number(line[1])).toBeGreaterThanOrEqual(Math.max(...parts.map((part) => Number(part[2]))));

      process.kill(started.npm.pid!, 'SIGTERM');
      await untilGone([started.npm.pid!, ...tree], 'SIGTERM to npm');
      expect(await portAnswers(started.port)).toBe(false);
      expect(started.output()).not.toMatch(/restarting it on the same address|database was restarted/);
    },
    START_TIMEOUT_MS + 120_000,
  );

  it(
    'stops the database with the lab without restarting it when the lab process gets SIGTERM',
    async () => {
      started = await startNpm(START_TIMEOUT_MS);
      const tree = await treeOf(started);
      const commands = await Promise.all(tree.map(async (pid) => ({ pid, command: await commandOf(pid) })));
      const lab = commands.find(
        (c) => /^(\S*\/)?node /.test(c.command) && /server\/(start\.mjs|cli\.ts)/.test(c.command),
      )!.pid;

      process.kill(lab, 'SIGTERM');
      await untilGone(tree, 'SIGTERM to the lab');
      expect(started.output()).toContain('SIGTERM: stopping the lab');
      // The database's keeper and the subject's supervisor stood down: no restart announced, none started.
      expect(started.output()).not.toMatch(/restarting it on the same address|database was restarted/);
      expect(started.output()).not.toMatch(/subject restarting/);
      expect(await portAnswers(started.port)).toBe(false);
    },
    START_TIMEOUT_MS + 120_000,
  );

  it(
    'stops when npm itself is killed with SIGKILL (the lab outlives no parent)',
    async () => {
      started = await startNpm(START_TIMEOUT_MS);
      const tree = await treeOf(started);

      process.kill(started.npm.pid!, 'SIGKILL');
      await untilGone(tree, 'SIGKILL to npm');
      expect(await portAnswers(started.port)).toBe(false);
      expect(started.output()).toContain('the process that started the lab is gone');
    },
    START_TIMEOUT_MS + 120_000,
  );
});
