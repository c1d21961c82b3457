/**
 * The database-restart benchmark: `kill -9` of the database the lab started, then how long
 * until `/api/health` says the database is up again, and until the subject answers a real
 * request (`GET /subject/users/alice`) with 200. The lab runs as `npm start` does
 * (`node server/start.mjs`, --offline: the embedded server), and its log
 * lines are timed too, so the table says where the time goes. The goal is 5 s.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { HealthResponse } from '../common/api';
import { type BenchRow, printTable } from './table';

const ROOT = path.resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.DBRESTART_ROUNDS ?? 3);
const GOAL_MS = 5000;
const DEADLINE_MS = 120_000;
const POLL_MS = 20;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((child) => (found.push(child), walk(child)));
  walk(root);
  return found;
}

/** The embedded server: from npm start's build, its own compiled bundle, or through tsx. */
const isDatabase = (pid: number) => /server\/db\/embedded\/cli\.ts|\/embedded\.mjs/.test(commandOf(pid));

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function health(base: string): Promise<HealthResponse | undefined> {
  try {
    const response = await fetch(`${base}/api/health`);
    return (await response.json()) as HealthResponse;
  } catch {
    return undefined;
  }
}

async function subjectAnswers(base: string): Promise<boolean> {
  try {
    const response = await fetch(`${base}/subject/users/alice`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

interface Lab {
  child: ChildProcess;
  base: string;
  /** Log lines with the time (performance.now()) they arrived. */
  lines: { at: number; text: string }[];
  stop(): Promise<void>;
}

async function startLab(): Promise<Lab> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-dbrestart-'));
  const child = spawn(process.execPath, ['server/start.mjs', '--offline', '--port', '0', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const lines: { at: number; text: string }[] = [];
  const collect = (chunk: Buffer) => {
    const at = performance.now();
    for (const text of chunk.toString('utf8').split('\n')) if (text.trim()) lines.push({ at, text });
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    if (child.exitCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const started = performance.now();
  let base: string | undefined;
  while (!base) {
    if (child.exitCode !== null || performance.now() - started > DEADLINE_MS) {
      await stop();
      throw new Error(`the lab did not start:\n${lines.map((l) => l.text).join('\n')}`);
    }
    base = lines.map((l) => /Event Loop Lab on (http:\S+)/.exec(l.text)?.[1]).find(Boolean);
    await sleep(POLL_MS);
  }
  return { child, base, lines, stop };
}

interface Round {
  healthUp: number;
  firstOk: number;
  /** When the lab logged that the database process was back (before the seed), ms after the kill. */
  processBack?: number;
  /** When the lab logged that it was restarted (seeded), ms after the kill. */
  seeded?: number;
}

async function oneRound(lab: Lab, round: number): Promise<Round> {
  // A lab that serves, with the previous restart finished (re-seeded): health ok and the subject answers.
  const ready = performance.now();
  const restarts = () => lab.lines.filter((l) => /database was restarted/.test(l.text)).length;
  while (restarts() < round || (await health(lab.base))?.status !== 'ok' || !(await subjectAnswers(lab.base))) {
    if (performance.now() - ready > DEADLINE_MS) throw new Error('the lab never served before the kill');
    await sleep(POLL_MS);
  }
  const database = descendants(lab.child.pid!).find(isDatabase);
  if (!database) throw new Error('no database process under the lab');
  const seen = lab.lines.length;
  const killed = performance.now();
  process.kill(database, 'SIGKILL');

  let healthUp: number | undefined;
  let firstOk: number | undefined;
  // The first ping after a kill may still find the old answer cached: wait until health said
  // down or restarting once (a fast restart may be over before a ping finds it down).
  let sawDown = false;
  const watchHealth = (async () => {
    while (healthUp === undefined) {
      const h = await health(lab.base);
      if (h && (!h.database.up || h.database.restarting)) sawDown = true;
      if (
        h?.database.up &&
        !h.database.restarting &&
        sawDown &&
        descendants(lab.child.pid!).some((pid) => pid !== database && isDatabase(pid))
      ) {
        healthUp = performance.now() - killed;
      }
      if (performance.now() - killed > DEADLINE_MS) throw new Error('health never said the database is up');
      await sleep(POLL_MS);
    }
  })();
  const watchSubject = (async () => {
    // Requests sent before the kill took effect may still succeed: count only after a failure.
    let failedOnce = false;
    while (firstOk === undefined) {
      const ok = await subjectAnswers(lab.base);
      if (!ok) failedOnce = true;
      else if (failedOnce) firstOk = performance.now() - killed;
      if (performance.now() - killed > DEADLINE_MS) throw new Error('the subject never answered 200 again');
      await sleep(POLL_MS);
    }
  })();
  await Promise.all([watchHealth, watchSubject]);
  // The re-seed ends after the first 200 (alice is inserted first): wait for its line too.
  while (
    !lab.lines.slice(seen).some((l) => /database was restarted/.test(l.text)) &&
    performance.now() - killed < DEADLINE_MS
  )
    await sleep(POLL_MS);
  const after = lab.lines.slice(seen);
  const at = (pattern: RegExp) => {
    const line = after.find((l) => pattern.test(l.text));
    return line ? line.at - killed : undefined;
  };
  return {
    healthUp: healthUp!,
    firstOk: firstOk!,
    processBack: at(/database process is back/),
    seeded: at(/database was restarted/),
  };
}

export async function benchDbRestart(): Promise<BenchRow[]> {
  const lab = await startLab();
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const round = await oneRound(lab, i);
      console.log(
        `  round ${i + 1}: health up ${round.healthUp.toFixed(0)} ms, first 200 ${round.firstOk.toFixed(0)} ms` +
          ` (process back ${round.processBack?.toFixed(0) ?? '?'} ms, seeded ${round.seeded?.toFixed(0) ?? '?'} ms)`,
      );
      rounds.push(round);
    }
  } finally {
    if (process.env.DBRESTART_LOG) console.log(lab.lines.map((l) => `${l.at.toFixed(0)} ${l.text}`).join('\n'));
    await lab.stop();
  }
  const of = (pick: (r: Round) => number | undefined) => median(rounds.map((r) => pick(r) ?? Number.NaN));
  const healthUp = of((r) => r.healthUp);
  const firstOk = of((r) => r.firstOk);
  return [
    {
      name: `kill -9 -> /api/health database up (median of ${ROUNDS})`,
      value: healthUp,
      unit: 'ms',
      goal: `< ${GOAL_MS} ms`,
      ok: healthUp < GOAL_MS,
    },
    {
      name: `kill -9 -> first 200 from the subject (median of ${ROUNDS})`,
      value: firstOk,
      unit: 'ms',
      goal: `< ${GOAL_MS} ms`,
      ok: firstOk < GOAL_MS,
    },
    { name: 'kill -9 -> database process back (lab log)', value: of((r) => r.processBack), unit: 'ms' },
    { name: 'kill -9 -> re-seeded (lab log)', value: of((r) => r.seeded), unit: 'ms' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('dbrestart', await benchDbRestart());
}
