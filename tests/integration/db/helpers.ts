/**
 * Helpers for the database-resolution tests: process inspection and an isolated
 * mongodb-memory-server configuration, so a binary cached on the developer's machine
 * (or a MONGODB_URI set for the conformance suite) cannot change what these tests see.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterEach, beforeEach } from 'vitest';
import type { StartedDatabase } from '../../../server/db/resolve';

/** Live direct children of `ppid`, from /proc (Linux; the lab's CI is Debian). */
export function childPids(ppid = process.pid): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z' && Number(fields[1]) === ppid) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); it has exited, it just was not reaped yet.
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** A port nothing listens on: bind port 0, note it, close it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const MONGOMS_KEYS = [
  'MONGODB_URI',
  'HOME',
  'MONGOMS_DOWNLOAD_DIR',
  'MONGOMS_VERSION',
  'MONGOMS_SYSTEM_BINARY',
  'MONGOMS_DOWNLOAD_MIRROR',
  'MONGOMS_DOWNLOAD_URL',
  'MONGOMS_ARCHIVE_NAME',
  'MONGOMS_USE_HTTP',
  'MONGOMS_RUNTIME_DOWNLOAD',
  'MONGOMS_MAX_RETRIES',
  'MONGOMS_MD5_CHECK',
  'MONGOMS_PREFER_GLOBAL_PATH',
] as const;

/**
 * Points mongodb-memory-server at an empty cache and a mongod version nobody has
 * cached (7.0.99 does not exist), and clears the URI/binary overrides. Returns a restore function.
 */
export function isolateMongoms(overrides: Record<string, string> = {}): { dir: string; restore(): void } {
  const saved = new Map(MONGOMS_KEYS.map((k) => [k, process.env[k]]));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'eventlooplab-mongoms-'));
  for (const key of MONGOMS_KEYS) delete process.env[key];
  Object.assign(
    process.env,
    { HOME: dir, MONGOMS_DOWNLOAD_DIR: path.join(dir, 'binaries'), MONGOMS_VERSION: '7.0.99' },
    overrides,
  );
  return {
    dir,
    restore() {
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a file of database-choice tests: each test gets its own isolated mongodb-memory-server
 * environment (isolateMongoms), and every database it pushes onto `started` is stopped after it.
 */
export function isolatedResolveTests(): { started: StartedDatabase[]; env(): { dir: string } } {
  let env: ReturnType<typeof isolateMongoms> | undefined;
  const started: StartedDatabase[] = [];
  beforeEach(() => {
    env = isolateMongoms();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((db) => db.stop()));
    env?.restore();
  });
  return { started, env: () => env! };
}

/** The `ok` of a ping through the official driver. */
export async function ping(uri: string): Promise<number> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 });
  try {
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok as number;
  } finally {
    await client.close();
  }
}
