/**
 * Runs the embedded MongoDB-compatible server as a separate child process, the way the lab
 * uses it when no real mongod is available.
 */
import { fileURLToPath } from 'node:url';
import { builtEntry } from '../../launch';
import { spawnNode, stopChild } from '../../process/children';
import { EMBEDDED_NAME, EMBEDDED_VERSION } from './commands/handshake';
import type { LabSeed } from './seedLab';

export { EMBEDDED_NAME, EMBEDDED_VERSION };
export { listen, type RunningServer } from './server';

export interface EmbeddedServer {
  uri: string;
  port: number;
  version: string;
  /** The server's process id (tests kill it to play a crash). */
  pid: number;
  /** Resolves when the process exits, however it ends: "SIGKILL", "code 1". */
  exited: Promise<string>;
  /** With seedLab: resolves once the users are in (no request is served before), with how long that took. */
  seeded?: Promise<LabSeed & { ms: number }>;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const READY = /^ready on (mongodb:\/\/127\.0\.0\.1:(\d+))$/m;
const SEEDED = /^(?:seeded (\{.*\})|seed failed: (.*))$/m;
/**
 * A hang detector, not a speed goal: it starts in about half a second on an idle machine,
 * but a laptop busy compiling (or a CI box running tests beside it) can take many seconds.
 */
const START_TIMEOUT_MS = 30_000;

export interface EmbeddedServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Keep the data in this directory across restarts; in memory when absent. */
  dbpath?: string;
  /** Receives the server's log lines; by default they go to stderr prefixed "[embedded-mongo]". */
  log?: (line: string) => void;
  /** Extra Node flags for the server process, e.g. ['--cpu-prof'] to profile it. */
  nodeFlags?: string[];
  /** cli.ts compiled to plain JavaScript (bundle.ts): starts without tsx, several times faster. */
  compiled?: string;
  /** Resource limits (see cli.ts), e.g. { maxConnections: 100 }. */
  limits?: { maxConnections?: number; frameTimeoutMs?: number; maxBufferedMb?: number };
  /** Seed the lab's users in the server itself, just after it is ready (seedLab.ts). */
  seedLab?: boolean;
  /** Accept test commands (configureFailPoint), like mongod with enableTestCommands: for tests only. */
  testCommands?: boolean;
}

/** Starts the server in a child process; resolves once it prints its ready line. */
export async function startEmbeddedServer(opts: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const { maxConnections, frameTimeoutMs, maxBufferedMb } = opts.limits ?? {};
  const args = [
    '--port',
    String(opts.port ?? 0),
    ...(opts.dbpath ? ['--dbpath', opts.dbpath] : []),
    ...(maxConnections ? ['--max-connections', String(maxConnections)] : []),
    ...(frameTimeoutMs ? ['--frame-timeout-ms', String(frameTimeoutMs)] : []),
    ...(maxBufferedMb ? ['--max-buffered-mb', String(maxBufferedMb)] : []),
    ...(opts.seedLab ? ['--seed-lab'] : []),
    ...(opts.testCommands ? ['--enable-test-commands'] : []),
  ];
  // A compiled entry: the one given, or npm start's checked build; else cli.ts through tsx.
  const compiled = opts.compiled ?? builtEntry('embedded');
  const child = compiled
    ? spawnNode(compiled, args, { stdio: 'pipe', nodeFlags: opts.nodeFlags, typescript: false })
    : spawnNode(CLI, args, { stdio: 'pipe', nodeFlags: opts.nodeFlags });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`)),
  );
  let stderrTail = '';
  child.stderr!.setEncoding('utf8');
  const log = opts.log ?? ((line: string) => process.stderr.write(`[embedded-mongo] ${line}\n`));
  let partial = '';
  child.stderr!.on('data', (text: string) => {
    stderrTail = (stderrTail + text).slice(-2000);
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) log(line);
  });

  return new Promise<EmbeddedServer>((resolve, reject) => {
    let stdout = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      void stopChild(child);
      reject(new Error(`embedded MongoDB server did not start: ${why}${stderrTail ? `\n${stderrTail.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`it exited (${signal ?? `code ${code}`}) before it was ready`);
    child.once('exit', onExit);
    let seedLine: ((line: RegExpExecArray) => void) | undefined;
    const seeded = opts.seedLab
      ? new Promise<LabSeed & { ms: number }>((resolveSeed, rejectSeed) => {
          seedLine = ([, json, failed]) =>
            json
              ? resolveSeed(JSON.parse(json) as LabSeed & { ms: number })
              : rejectSeed(new Error(`the embedded server could not seed the lab's users: ${failed}`));
          void exited.then((how) =>
            rejectSeed(new Error(`the embedded server exited (${how}) before the lab's users were in`)),
          );
        })
      : undefined;
    // Nobody may be waiting for it yet: a failure is reported when it is awaited.
    seeded?.catch(() => undefined);
    let ready: RegExpExecArray | null = null;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      stdout += text;
      if (!ready) {
        ready = READY.exec(stdout);
        if (!ready) return;
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({
          uri: ready[1]!,
          port: Number(ready[2]),
          version: EMBEDDED_VERSION,
          pid: child.pid!,
          exited,
          ...(seeded ? { seeded } : {}),
          stop: () => stopChild(child),
        });
      }
      const seed = seedLine && SEEDED.exec(stdout);
      if (!seedLine || seed) {
        if (seed) seedLine!(seed);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
      }
    });
  });
}
