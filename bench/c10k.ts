/**
 * The C10K benchmark: the real lab holding 10,000 long-polls (GET /updates) on one
 * non-blocking subject, then the same kind of run in blocking mode with 16 executor
 * threads and with none, side by side: how many the subject held at once, what each cost
 * it in memory, how late its loop ran while they waited, and how long one publish took
 * to answer them all.
 *
 * Runnable alone: `npx tsx bench/c10k.ts`. Needs `ulimit -n` of about 10,600 or more.
 */
import { fileURLToPath } from 'node:url';
import type { RunSummary } from '../common/api';
import { type LabConfig, type LongPollRun } from '../common/config';
import { type LabServer } from '../server/lab/app';
import { openFileLimit, openFileProblem } from '../server/lab/openFiles';
import { withBenchLab } from './benchLab';
import { type BenchRow, printTable } from './table';

const HELD = 10_000;
/** Blocking runs answer one waiter (or one per thread) at a time: a smaller crowd shows it. */
const BLOCKING_HELD = 200;
const THREADS = 16;

async function longPollRun(server: LabServer, config: Partial<LabConfig>, plan: LongPollRun): Promise<RunSummary> {
  await server.lab.applyConfig({ dbLatencyMs: 0, workers: 1, tracing: true, ...config });
  const id = server.lab.startRun(plan);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const summary = server.store.get(id);
    if (summary && summary.status !== 'running') {
      if (summary.status !== 'done') throw new Error(`run ${id} ${summary.status}: ${summary.message ?? ''}`);
      return summary;
    }
  }
}

function heldRows(label: string, summary: RunSummary, expected: number): BenchRow[] {
  const peak = summary.peakConcurrent ?? 0;
  const answered = summary.completed - summary.errors;
  return [
    {
      name: `${label}: held at once (peakConcurrent)`,
      value: peak,
      unit: '',
      goal: `= ${expected}`,
      ok: peak === expected,
    },
    { name: `${label}: long-polls answered without error`, value: answered, unit: '' },
    { name: `${label}: publish to last answer`, value: summary.publishToLastAnswerMs ?? NaN, unit: 'ms' },
    { name: `${label}: loop delay while they waited (max)`, value: summary.waitingLoopDelayMs ?? NaN, unit: 'ms' },
    // A loop that one blocking waiter holds from the start takes no sample while they arrive.
    ...(summary.arrivalLoopDelayMs === undefined
      ? []
      : [{ name: `${label}: loop delay while they arrived (max)`, value: summary.arrivalLoopDelayMs, unit: 'ms' }]),
  ];
}

export async function benchC10k(): Promise<BenchRow[]> {
  const problem = openFileProblem(HELD, openFileLimit());
  if (problem) return [{ name: `not measured: ${problem}`, value: 0, unit: '', ok: false }];
  return withBenchLab(async (server) => {
    const rows: BenchRow[] = [];

    const nonblocking = await longPollRun(
      server,
      { mode: 'nonblocking' },
      { route: 'longPoll', concurrency: HELD, holdMs: 60_000 },
    );
    const memory = nonblocking.subjectMemory;
    rows.push(...heldRows(`non-blocking, ${HELD}`, nonblocking, HELD));
    rows.push({
      name: `non-blocking, ${HELD}: subject RSS idle`,
      value: (memory?.idleRssBytes ?? NaN) / 2 ** 20,
      unit: 'MiB',
    });
    rows.push({
      name: `non-blocking, ${HELD}: subject RSS, all held`,
      value: (memory?.peakRssBytes ?? NaN) / 2 ** 20,
      unit: 'MiB',
    });
    rows.push({
      name: `non-blocking, ${HELD}: memory per held connection`,
      value: (memory?.perConnectionBytes ?? NaN) / 1024,
      unit: 'KiB',
    });

    // A busy machine may not start 16 threads in time: report that row as failed, keep the rest.
    const lab = server;
    const attempt = async (
      label: string,
      run: () => Promise<RunSummary>,
      expected: number,
    ): Promise<RunSummary | undefined> => {
      try {
        const summary = await run();
        rows.push(...heldRows(label, summary, expected));
        return summary;
      } catch (error) {
        rows.push({
          name: `${label}: failed (${error instanceof Error ? error.message : String(error)})`,
          value: NaN,
          unit: '',
          ok: false,
        });
        return undefined;
      }
    };
    const blockingPlan: LongPollRun = { route: 'longPoll', concurrency: BLOCKING_HELD, holdMs: 3000 };
    await attempt(
      `blocking, ${THREADS} threads, ${BLOCKING_HELD}`,
      () => longPollRun(lab, { mode: 'blocking', executorThreads: THREADS }, blockingPlan),
      THREADS,
    );
    const blocking = await attempt(
      `blocking, loop only, ${BLOCKING_HELD}`,
      () => longPollRun(lab, { mode: 'blocking', executorThreads: 0 }, blockingPlan),
      1,
    );

    const perHeld = (s: RunSummary, n: number) => (s.publishToLastAnswerMs ?? NaN) / n;
    if (blocking) {
      rows.push({
        name: 'publish-to-last-answer per long-poll: blocking / non-blocking',
        value: perHeld(blocking, BLOCKING_HELD) / perHeld(nonblocking, HELD),
        unit: 'x',
      });
    }
    return rows;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printTable('c10k', await benchC10k());
