/**
 * A real mongod through mongodb-memory-server, and the guarantee that it dies with us.
 *
 * The library spawns mongod itself (not through server/process/children.ts) and only
 * guards against a dead parent with a watchdog that polls every 2 s. So this module
 * tracks each mongod and kills it on exit, and makes sure Ctrl-C / SIGTERM reach
 * that exit hook.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoMemoryServer } from 'mongodb-memory-server';

const LAUNCH_TIMEOUT_MS = 20_000;

export interface StartedMemoryServer {
  uri: string;
  /** The mongod process, so callers and tests can see that it is gone after stop(). */
  pid: number;
  /** Resolves when mongod exits, however it ends: "SIGKILL", "code 1". */
  exited: Promise<string>;
  stop(): Promise<void>;
}

interface Tracked {
  mongod: ChildProcess;
  dbPath: string;
}
const running = new Set<Tracked>();
let hooked = false;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous, so nobody waits for mongod here: SIGTERM makes it
  // shut down on its own within a second, and the library's watchdog (which polls every 2 s
  // for a dead parent) is the backstop if it does not.
  process.on('exit', () => {
    for (const { mongod, dbPath } of running) {
      if (mongod.exitCode === null && mongod.signalCode === null) mongod.kill('SIGTERM');
      rmSync(dbPath, { recursive: true, force: true });
    }
  });
  // A signal's default action skips 'exit' handlers, so turn it into an exit, but only if
  // nobody else (the CLI's graceful shutdown, children.ts) is handling it.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/** Starts mongod from a binary already on disk (see mongodBinary.ts) on a free port, or on `port`. */
export async function startMemoryServer(binaryPath: string, port?: number): Promise<StartedMemoryServer> {
  hookExit();
  const dbPath = await mkdtemp(path.join(os.tmpdir(), 'eventlooplab-mongod-'));
  let server: MongoMemoryServer;
  try {
    server = await MongoMemoryServer.create({
      // An explicit binary means the library never starts a download of its own (unbounded).
      binary: { systemBinary: binaryPath },
      // A given port is kept (the library would otherwise move off a port it handed out before).
      instance: {
        dbPath,
        ip: '127.0.0.1',
        launchTimeout: LAUNCH_TIMEOUT_MS,
        ...(port ? { port, portGeneration: false } : {}),
      },
    });
  } catch (error) {
    await rm(dbPath, { recursive: true, force: true });
    throw error;
  }
  const mongod = server.instanceInfo?.instance.mongodProcess;
  if (!mongod?.pid) {
    await server.stop({ doCleanup: true, force: true });
    throw new Error('mongodb-memory-server started without a mongod process');
  }
  const tracked: Tracked = { mongod, dbPath };
  running.add(tracked);
  const exited = new Promise<string>((resolve) => {
    if (mongod.exitCode !== null || mongod.signalCode !== null) resolve(mongod.signalCode ?? `code ${mongod.exitCode}`);
    else mongod.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });
  let stopping: Promise<void> | undefined;
  return {
    uri: server.getUri(),
    pid: mongod.pid,
    exited,
    stop() {
      stopping ??= (async () => {
        // A mongod that died already (kill -9) has nothing to stop; the library would wait on it.
        const dead = mongod.exitCode !== null || mongod.signalCode !== null;
        if (!dead) await server.stop({ doCleanup: false });
        running.delete(tracked);
        await rm(dbPath, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
