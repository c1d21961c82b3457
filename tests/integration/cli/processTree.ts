/**
 * `npm start` as a user runs it, and the process tree it leaves, read from /proc: the
 * ground truth about orphans, whatever the lab believes about its children.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Parent pid and state of a live process, or undefined once it is gone (a zombie counts as gone). */
async function statOf(pid: number): Promise<{ ppid: number; state: string } | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: read after the last ')'.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state === 'Z' || state === 'X') return undefined;
    return { ppid: Number(ppid), state: state ?? '?' };
  } catch {
    return undefined;
  }
}

/** Every live descendant of `root` (children, their children, ...). */
export async function descendants(root: number): Promise<number[]> {
  const parents = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = await statOf(pid);
    if (!stat) continue;
    parents.set(stat.ppid, [...(parents.get(stat.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of parents.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

export async function alive(pids: number[]): Promise<number[]> {
  const still: number[] = [];
  for (const pid of pids) if (await statOf(pid)) still.push(pid);
  return still;
}

export async function commandOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replaceAll('\0', ' ').trim();
}

export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface StartedNpm {
  npm: ChildProcess;
  port: number;
  output(): string;
  cleanup(): Promise<void>;
}

/** Runs `npm start -- --offline --port 0 --data-dir <temp>` and resolves once it prints its URL. */
export async function startNpm(timeoutMs: number): Promise<StartedNpm> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lab-npm-start-'));
  const npm = spawn('npm', ['start', '--', '--offline', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`npm start printed no URL within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const look = () => {
      const match = /Event Loop Lab on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(Number(match[1]));
    };
    npm.stdout!.on('data', look);
    npm.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
  return {
    npm,
    port,
    output: () => output,
    cleanup: async () => {
      // If a test failed half-way, leave nothing behind.
      for (const pid of await descendants(npm.pid!)) process.kill(pid, 'SIGKILL');
      npm.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
