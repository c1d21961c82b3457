/**
 * The start-up benchmark: how long `npm start` takes until the page and the API answer,
 * beside a bare Fastify server started the same way in the same run. On a quiet machine the
 * goal is 3 s; on a shared one the ratio is the figure to watch (a bare Fastify start is a
 * Node process, its module loading and one listen: what any server pays before its own work).
 *
 * The UI and the server's build (build/server/) are made first and not counted: `npm install`
 * makes both (npm's `prepare`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureUiBuilt } from '../server/lab/ui';
import { BUILD_DIR, buildServer, staleReason } from '../scripts/build-server.mjs';
import { type BenchRow, printTable } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.STARTUP_ROUNDS ?? 3);
const GOAL_MS = 3000;
/** 3 s against a bare Fastify start of ~0.25 to 0.4 s on a quiet two-core machine. */
const GOAL_RATIO = 12;
const DEADLINE_MS = 120_000;

const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/', async () => 'ok');
await app.listen({ port: 0, host: '127.0.0.1' });
console.log('listening on http://127.0.0.1:' + app.server.address().port);
`;

interface Started {
  ms: number;
  /** The lab's own "ready in ..." line. */
  summary?: string;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Spawns a server, waits for the URL it prints, then until every path answers 200. */
async function timeStart(args: string[], urlPattern: RegExp, paths: string[]): Promise<Started> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    let base: string | undefined;
    const pending = new Set(paths);
    while (pending.size > 0) {
      if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
      if (performance.now() - started > DEADLINE_MS) throw new Error(`not ready within ${DEADLINE_MS} ms:\n${output}`);
      base ??= urlPattern.exec(output)?.[1];
      if (base) for (const p of [...pending]) if (await answers(base + p)) pending.delete(p);
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ms = performance.now() - started;
    // The summary is printed just after the URL; give it a moment to arrive.
    for (let i = 0; i < 50 && !/ready in .*\)/.test(output); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return { ms, summary: /ready in .*\)/.exec(output)?.[0] };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  }
}

const bareFastify = () => timeStart(['--input-type=module', '-e', BARE_FASTIFY], /listening on (http:\S+)/, ['/']);

async function labStart(): Promise<Started> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'lab-startup-bench-'));
  try {
    // As `npm start` runs it; --port 0 so the benchmark never clashes with a running lab.
    return await timeStart(['server/start.mjs', '--port', '0', '--data-dir', dataDir], /Event Loop Lab on (http:\S+)/, [
      '/',
      '/api/health',
    ]);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchStartup(): Promise<BenchRow[]> {
  const ui = await ensureUiBuilt(ROOT, (line) => console.log(line));
  if (!ui.dir) throw new Error(`no UI to serve: ${ui.problem ?? 'unknown reason'}`);
  const stale = staleReason();
  if (stale) {
    console.log(`compiling the server first (${stale}), as npm install does`);
    await buildServer();
  }
  const loadBefore = os.loadavg()[0]!;
  const bare: number[] = [];
  const lab: number[] = [];
  let summary: string | undefined;
  // Interleaved, so a burst of load elsewhere on the machine hits both alike.
  for (let round = 0; round < ROUNDS; round++) {
    bare.push((await bareFastify()).ms);
    const started = await labStart();
    lab.push(started.ms);
    summary = started.summary ?? summary;
  }
  const loadAfter = os.loadavg()[0]!;
  const bareMs = median(bare);
  const labMs = median(lab);
  const ratio = labMs / bareMs;
  if (summary) console.log(`the lab's own line, last round: ${summary}`);
  // A start after a source edit: the build is stale, so npm start compiles it first (one round).
  rmSync(path.join(BUILD_DIR, 'manifest.json'), { force: true });
  const edited = await labStart();
  if (staleReason()) throw new Error(`npm start did not leave a current build: ${staleReason()}`);
  console.log(`the lab's own line, stale build: ${edited.summary ?? '(none)'}`);
  // The 3 s goal is for a quiet machine: the row says how busy this one was.
  const cores = os.availableParallelism();
  const busy = `load ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} on ${cores} cores`;
  return [
    { name: `bare Fastify start to first answer (median of ${ROUNDS})`, value: bareMs, unit: 'ms' },
    {
      name: `npm start to page + API answering (median of ${ROUNDS}; ${busy})`,
      value: labMs,
      unit: 'ms',
      goal: `<= ${GOAL_MS}`,
      ok: labMs <= GOAL_MS,
    },
    {
      name: 'npm start / bare Fastify start',
      value: ratio,
      unit: 'x',
      goal: `<= ${GOAL_RATIO}`,
      ok: ratio <= GOAL_RATIO,
    },
    { name: 'npm start after a source edit (compiles the server first; 1 round)', value: edited.ms, unit: 'ms' },
  ];
}

// `tsx bench/startup.ts` runs it alone.
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  benchStartup().then(
    (rows) => printTable('startup', rows),
    (error) => (console.error(error), process.exit(1)),
  );
}
