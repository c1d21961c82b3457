/**
 * Child processes that never outlive the lab.
 *
 * Every child is a Node process running a TypeScript entry through tsx, with an IPC
 * channel. The parent kills its children on exit, Ctrl-C and SIGTERM; the child calls
 * `exitWithParent()` so that it also exits when the channel closes, which covers the
 * one case the parent cannot handle itself: being killed with SIGKILL or crashing hard.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const live = new Set<ChildProcess>();
let hooked = false;
let shuttingDown = false;

/**
 * The lab is stopping (a signal, or its own stop): children that exit from now on were
 * stopped on purpose, and whoever watches them (the subject's supervisor, the database
 * keeper) must not call it a crash or start them again.
 */
export function markShuttingDown(): void {
  shuttingDown = true;
}

export function isShuttingDown(): boolean {
  return shuttingDown;
}

function killAll(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
}

function hookParentExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    shuttingDown = true;
    killAll('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      shuttingDown = true;
      killAll('SIGTERM');
      // Re-raise the default behaviour only if nobody else handles the signal.
      if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Resolves tsx's loader (once, and only when needed: a compiled child imports this file
 * from a folder where tsx cannot be resolved), so children start the same way from any
 * working directory.
 */
let tsxLoader: string | undefined;
const tsx = (): string => (tsxLoader ??= createRequire(import.meta.url).resolve('tsx'));

export interface SpawnNodeOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra Node flags, e.g. ['--max-old-space-size=512']. */
  nodeFlags?: string[];
  /** Where the child's stdout/stderr go: 'pipe' to read them, 'inherit' to show them. */
  stdio?: 'pipe' | 'inherit';
  /** False for an entry that is already JavaScript (no tsx loader: it starts faster). */
  typescript?: boolean;
}

/** Spawns `node --import tsx <entry> ...args` (or `node <entry>` for JavaScript) with an IPC channel, tracked for cleanup. */
export function spawnNode(entry: string, args: string[] = [], options: SpawnNodeOptions = {}): ChildProcess {
  const loader = options.typescript === false ? [] : ['--import', tsx()];
  return spawnWithChannel(
    process.execPath,
    [...(options.nodeFlags ?? []), ...loader, entry, ...args],
    options,
    'advanced',
  );
}

/**
 * Spawns a program that is not Node (the Tornado subject's Python) with an IPC channel in
 * JSON mode: newline-delimited JSON on the file descriptor named in NODE_CHANNEL_FD, which
 * any language can speak. The child must exit when that channel reaches end of file.
 */
export function spawnProgram(
  command: string,
  args: string[],
  options: Omit<SpawnNodeOptions, 'nodeFlags'> = {},
): ChildProcess {
  return spawnWithChannel(command, args, options, 'json');
}

function spawnWithChannel(
  command: string,
  args: string[],
  options: SpawnNodeOptions,
  serialization: 'advanced' | 'json',
): ChildProcess {
  hookParentExit();
  const io = options.stdio ?? 'pipe';
  const child = spawn(command, args, {
    stdio: [io === 'inherit' ? 'inherit' : 'ignore', io, io, 'ipc'],
    env: { ...process.env, ...options.env },
    serialization,
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Resolves when the child has exited; sends SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** In a child: exit as soon as the parent is gone (its IPC channel closes). */
export function exitWithParent(): void {
  if (!process.send) return; // started by hand, not by spawnNode
  process.once('disconnect', () => process.exit(0));
  // Under coverage (NODE_V8_COVERAGE), a process writes what it ran only when it exits by
  // itself; one that SIGTERM ends (stopChild, for a child with no handler of its own, such as
  // the subject) writes nothing. So it ends through process.exit, with the exit code a
  // SIGTERM gives. A child with its own SIGTERM handler (it closes things first) keeps its way.
  if (process.env.NODE_V8_COVERAGE) {
    const onTerm = () => {
      if (process.listenerCount('SIGTERM') === 1) process.exit(143);
    };
    process.on('SIGTERM', onTerm);
  }
}

/** How many children this process is still tracking (tests use it to prove there are no orphans). */
export function liveChildren(): number {
  return live.size;
}
