/**
 * The engine benchmark: the real lab (embedded database, latency proxy, subject,
 * load generator) measured through its own API, side by side in one run.
 *
 * - throughput against the model at concurrency 50, dbLatencyMs 20:
 *     blocking     ≈ 1000 / (round trip + cpu)             one request at a time
 *     non-blocking ≈ min(concurrency, poolSize) * 1000 / round trip
 *   where round trip = one request's latency measured alone (concurrency 1) at the same
 *   dbLatencyMs and mode: the added latency plus HTTP, handler, driver and the proxy's
 *   timer slack, which on a busy 2-core machine is a few ms the nominal 20 ms leaves out;
 * - the same two ratios for the Tornado subject (runtime 'tornado'), when Python can run it;
 * - tracing on vs off at the highest throughput this machine reaches (non-blocking, 0 ms);
 * - the lab's load generator vs autocannon (separate process) on the same route.
 *
 * Runnable alone: `npx tsx bench/engine.ts`.
 */
import { fileURLToPath } from 'node:url';
import type { RunSummary } from '../common/api';
import { DEFAULT_CONFIG, type LabConfig, type RunRequest } from '../common/config';
import { type LabServer } from '../server/lab/app';
import { tornadoRuntime } from '../server/subject-tornado/python';
import { withBenchLab } from './benchLab';
import { type BenchRow, printTable } from './table';
import { autocannon } from './autocannon';

const CONCURRENCY = 50;
const LATENCY_MS = 20;
const REPEATS = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function configure(server: LabServer, patch: Partial<LabConfig>): Promise<void> {
  await server.lab.applyConfig(patch);
}

async function run(server: LabServer, plan: RunRequest): Promise<RunSummary> {
  const id = server.lab.startRun(plan);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const summary = server.store.get(id);
    if (summary && summary.status !== 'running') {
      if (summary.status !== 'done') throw new Error(`run ${id} ${summary.status}: ${summary.message ?? ''}`);
      return summary;
    }
  }
}

/** Median latency of sequential requests: the round trip one request sees, alone. */
async function roundTrip(server: LabServer, mode: LabConfig['mode'], dbLatencyMs: number): Promise<number> {
  await configure(server, { mode, dbLatencyMs, poolSize: DEFAULT_CONFIG.poolSize, cpuMs: 0, tracing: true });
  await run(server, { requests: 20, concurrency: 1 });
  return (await run(server, { requests: dbLatencyMs ? 100 : 300, concurrency: 1 })).latencyMs.p50;
}

function ratioRow(name: string, ratio: number, goal: string, ok: boolean): BenchRow {
  return { name, value: ratio, unit: 'x', goal, ok };
}

export async function benchEngine(): Promise<BenchRow[]> {
  return withBenchLab(async (server) => {
    const rows: BenchRow[] = [];

    // --- throughput against the model ---
    // The machine is shared (other processes come and go), so every comparison is made in
    // pairs measured back to back, repeated, and the median ratio is reported.
    // Then the same for the Tornado subject, when Python can run it.
    const tornado = await tornadoRuntime();
    if (!tornado.available) rows.push({ name: `tornado: not measured (${tornado.reason})`, value: 0, unit: '' });
    for (const runtime of tornado.available ? (['node', 'tornado'] as const) : (['node'] as const)) {
      const label = runtime === 'node' ? '' : 'tornado ';
      await configure(server, { runtime });
      for (const mode of ['blocking', 'nonblocking'] as const) {
        const base = await roundTrip(server, mode, 0);
        const pairs: Array<{ rtt: number; model: number; measured: number }> = [];
        for (let i = 0; i < REPEATS; i++) {
          const rtt = await roundTrip(server, mode, LATENCY_MS);
          const model =
            mode === 'blocking' ? 1000 / rtt : (Math.min(CONCURRENCY, DEFAULT_CONFIG.poolSize) * 1000) / rtt;
          // Enough requests for ~4 s of steady state either way.
          const requests = Math.max(CONCURRENCY * 3, Math.round(model * 4));
          await run(server, { requests: CONCURRENCY, concurrency: CONCURRENCY });
          const measured = (await run(server, { requests, concurrency: CONCURRENCY })).throughputPerSec;
          pairs.push({ rtt, model, measured });
        }
        const ratio = median(pairs.map((p) => p.measured / p.model));
        rows.push({ name: `${label}${mode}: round trip alone, 0 ms added (p50)`, value: base, unit: 'ms' });
        rows.push({
          name: `${label}${mode}: round trip alone, ${LATENCY_MS} ms added (p50, median)`,
          value: median(pairs.map((p) => p.rtt)),
          unit: 'ms',
        });
        rows.push({
          name: `${label}${mode}: model at c=${CONCURRENCY}, pool ${DEFAULT_CONFIG.poolSize} (median)`,
          value: median(pairs.map((p) => p.model)),
          unit: 'req/s',
        });
        rows.push({
          name: `${label}${mode}: measured (median)`,
          value: median(pairs.map((p) => p.measured)),
          unit: 'req/s',
        });
        rows.push(
          mode === 'blocking'
            ? ratioRow(
                `${label}blocking: measured / model (median of ${REPEATS} pairs)`,
                ratio,
                '0.9 .. 1.1',
                ratio >= 0.9 && ratio <= 1.1,
              )
            : ratioRow(
                `${label}non-blocking: measured / model (median of ${REPEATS} pairs)`,
                ratio,
                '>= 0.9',
                ratio >= 0.9,
              ),
        );
      }
    }
    await configure(server, { runtime: 'node' });

    // --- tracing cost at the highest throughput: non-blocking, no added latency ---
    await configure(server, { mode: 'nonblocking', dbLatencyMs: 0, poolSize: CONCURRENCY, tracing: true });
    await run(server, { requests: 2000, concurrency: CONCURRENCY });
    const tracingPairs: Array<{ on: number; off: number }> = [];
    for (let i = 0; i < REPEATS; i++) {
      const pair = { on: 0, off: 0 };
      for (const tracing of i % 2 ? [false, true] : [true, false]) {
        await configure(server, { tracing });
        await run(server, { requests: 500, concurrency: CONCURRENCY });
        pair[tracing ? 'on' : 'off'] = (
          await run(server, { requests: 6000, concurrency: CONCURRENCY })
        ).throughputPerSec;
      }
      tracingPairs.push(pair);
    }
    const tracingRatio = median(tracingPairs.map((p) => p.on / p.off));
    rows.push({
      name: 'tracing on: non-blocking, 0 ms, c=50 (median)',
      value: median(tracingPairs.map((p) => p.on)),
      unit: 'req/s',
    });
    rows.push({ name: 'tracing off: same (median)', value: median(tracingPairs.map((p) => p.off)), unit: 'req/s' });
    rows.push(ratioRow(`tracing on / off (median of ${REPEATS} pairs)`, tracingRatio, '>= 0.95', tracingRatio >= 0.95));

    // --- the lab's generator vs autocannon, same route and connections ---
    await configure(server, { tracing: false });
    const url = `${server.lab.subjectUrl()}/users/alice`;
    const loadPairs: Array<{ ours: number; theirs: number }> = [];
    for (let i = 0; i < REPEATS; i++) {
      const theirs = (await autocannon(url, { connections: CONCURRENCY, seconds: 3 })).requestsPerSec;
      const ours = (await run(server, { requests: Math.round(theirs * 3), concurrency: CONCURRENCY })).throughputPerSec;
      loadPairs.push({ ours, theirs });
    }
    const loadRatio = median(loadPairs.map((p) => p.ours / p.theirs));
    rows.push({
      name: 'lab load generator: GET /users/alice, c=50, tracing off (median)',
      value: median(loadPairs.map((p) => p.ours)),
      unit: 'req/s',
    });
    rows.push({ name: 'autocannon: same (median)', value: median(loadPairs.map((p) => p.theirs)), unit: 'req/s' });
    rows.push(
      ratioRow(
        `generator / autocannon (median of ${REPEATS} pairs)`,
        loadRatio,
        '0.9 .. 1.1',
        loadRatio >= 0.9 && loadRatio <= 1.1,
      ),
    );
    return rows;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable('engine', await benchEngine());
  process.exit(0);
}
