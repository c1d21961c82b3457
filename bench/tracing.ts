/**
 * What tracing costs the server under study ("tracing on vs off at the highest
 * throughput this machine reaches: goal >= 0.95"), measured on its own:
 * one subject (non-blocking, no added latency, pool 50) started by the real supervisor
 * over the embedded database, loaded by autocannon (its own process) at 50 connections.
 *
 * The machine is shared, so on and off runs alternate, a few times, and medians are
 * reported. Each run gets a freshly started subject, whichever side ran before it. Each subject start is measured twice: flat out (the goal's throughput), and at a
 * fixed 1,000 req/s, where the CPU each request costs the subject process and this process
 * (which receives the events, as the lab does) shows what tracing costs even when other
 * work on the machine moves the throughput: at a fixed rate both sides batch alike, while
 * flat out the CPU per request also rises and falls with the throughput reached.
 *
 * On a busy machine the flat-out ratio moves a lot (an A/A run, tracing off on both sides,
 * gave pairs from 0.64 to 2.0): read it with the spread and the fixed-rate CPU beside it.
 *
 * The same figures for the Tornado subject follow (rows "tornado: ..."), when Python can run
 * it, at a fixed rate a single Python process keeps up with (TORNADO_PACED_RATE).
 *
 * First, the wire alone (bench/traceWire.ts): what writing and reading the trace's batches
 * costs per request, in this process, the quickest of several rounds (steady under load).
 * The load average is printed before and after the runs: figures from a busy machine are
 * read with it.
 *
 * Runnable alone: `npx tsx bench/tracing.ts` (TRACING_BENCH_PAIRS=n for more pairs,
 * TRACING_BENCH_TORNADO_RATE=n for the Tornado subject's fixed rate, TRACING_BENCH_RUNTIMES=node
 * to measure one runtime, TRACING_BENCH_VERBOSE=1 to print every pair).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { DEFAULT_CONFIG, type LabConfig, type Runtime } from '../common/config';
import { startDatabase } from '../server/db/resolve';
import { LAB_DB_NAME, seedUsers } from '../server/db/seed';
import { createSubjectSupervisor } from '../server/subject/supervisor';
import { tornadoRuntime } from '../server/subject-tornado/python';
import { type BenchRow, printTable } from './table';
import { autocannon } from './autocannon';
import { benchTraceWire } from './traceWire';

const CONNECTIONS = 50;
const SECONDS = 3;
const PAIRS = Number(process.env.TRACING_BENCH_PAIRS ?? 5);
const ROUTE = '/users/alice';
/** Well below what the machine serves even when busy, so both sides keep up with it. */
const PACED_RATE = 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** CPU time (user + system) a process has used so far, in µs, from /proc (Linux). */
function processCpuMicros(pid: number): number {
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100; // USER_HZ on Linux
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / ticksPerSecond;
}

interface Measured {
  perSecond: number;
  subjectUsPerRequest: number;
  receiverUsPerRequest: number;
  eventsPerRequest: number;
}

interface Side {
  max: Measured;
  paced: Measured;
}

/**
 * The Tornado subject at a fixed rate it keeps up with on a busy 2-core machine (one Python
 * process serves a few thousand requests a second flat out, far fewer than Node's subject).
 */
const TORNADO_PACED_RATE = Number(process.env.TRACING_BENCH_TORNADO_RATE ?? 300);
const RUNTIMES = (process.env.TRACING_BENCH_RUNTIMES ?? 'node,tornado').split(',');

/** The 1-minute load average, as a row. */
const loadRow = (when: string): BenchRow => ({ name: `load average (1 min), ${when}`, value: loadavg()[0]!, unit: '' });

export async function benchTracing(): Promise<BenchRow[]> {
  const database = await startDatabase({ offline: true, log: () => {} });
  try {
    const seeding = new MongoClient(database.uri);
    await seedUsers(seeding.db(LAB_DB_NAME));
    await seeding.close();
    const rows = [...benchTraceWire(), loadRow('before')];
    if (RUNTIMES.includes('node')) rows.push(...(await measureTracing(database.uri, 'node', PACED_RATE, '')));
    // The same figures for the Tornado subject, when Python can run it.
    const tornado = await tornadoRuntime();
    if (!RUNTIMES.includes('tornado')) return [...rows, loadRow('after')];
    if (!tornado.available) return [...rows, { name: `tornado: not measured (${tornado.reason})`, value: 0, unit: '' }];
    rows.push(...(await measureTracing(database.uri, 'tornado', TORNADO_PACED_RATE, 'tornado: ')));
    return [...rows, loadRow('after')];
  } finally {
    await database.stop();
  }
}

/** Tracing on vs off for one runtime's subject: alternating pairs, flat out and at a fixed rate. */
async function measureTracing(
  mongoUri: string,
  runtime: Runtime,
  pacedRate: number,
  label: string,
): Promise<BenchRow[]> {
  let events = 0;
  const supervisor = createSubjectSupervisor({
    mongoUri,
    dbName: LAB_DB_NAME,
    onEvents: (batch) => {
      events += batch.length;
    },
  });
  try {
    const base: LabConfig = {
      ...DEFAULT_CONFIG,
      runtime,
      mode: 'nonblocking',
      dbLatencyMs: 0,
      poolSize: CONNECTIONS,
      cpuMs: 0,
    };
    await supervisor.start(base);

    /** One load run against the running subject, with the CPU it cost and the events it made. */
    const load = async (url: string, rate?: number): Promise<Measured> => {
      const pid = supervisor.pids().subject!;
      const subjectBefore = processCpuMicros(pid);
      const receiverBefore = process.cpuUsage();
      const eventsBefore = events;
      const start = performance.now();
      const result = await autocannon(url, { connections: CONNECTIONS, seconds: SECONDS, rate });
      const seconds = (performance.now() - start) / 1000;
      // Events still on their way (the last batch) belong to this run.
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors`);
      const receiver = process.cpuUsage(receiverBefore);
      return {
        // Our clock includes autocannon's start-up, the same for both sides.
        perSecond: result.requests / seconds,
        subjectUsPerRequest: (processCpuMicros(pid) - subjectBefore) / result.requests,
        receiverUsPerRequest: (receiver.user + receiver.system) / result.requests,
        eventsPerRequest: (events - eventsBefore) / result.requests,
      };
    };

    let running = base.tracing;
    const measure = async (tracing: boolean): Promise<Side> => {
      // Every measurement starts from a fresh subject process: a change of tracing restarts
      // it, and so must staying on the same side. Otherwise half the runs met a subject warmed
      // by a run before, and the ratio of a pair depended on which side went first (pairs of
      // 0.3 and 3 on a busy machine, medians swinging from 0.29 to 1.03).
      if (tracing === running) await supervisor.setHandlers!({});
      else await supervisor.apply({ ...base, tracing });
      running = tracing;
      await supervisor.warm();
      const url = supervisor.url() + ROUTE;
      await autocannon(url, { connections: CONNECTIONS, seconds: 1 }); // JIT and keep-alive connections warm
      return { max: await load(url), paced: await load(url, pacedRate) };
    };

    const pairs: Array<{ on: Side; off: Side }> = [];
    for (let i = 0; i < PAIRS; i++) {
      const pair: Partial<{ on: Side; off: Side }> = {};
      for (const tracing of i % 2 ? [false, true] : [true, false])
        pair[tracing ? 'on' : 'off'] = await measure(tracing);
      pairs.push(pair as { on: Side; off: Side });
      if (process.env.TRACING_BENCH_VERBOSE) console.error(runtime, JSON.stringify(pair));
    }

    const of = (side: 'on' | 'off', run: keyof Side, key: keyof Measured) =>
      median(pairs.map((p) => p[side][run][key]));
    const ratio = (run: keyof Side, key: keyof Measured) => median(pairs.map((p) => p.on[run][key] / p.off[run][key]));
    const throughputRatio = ratio('max', 'perSecond');
    const pacedCpuRatio = ratio('paced', 'subjectUsPerRequest');
    return [
      {
        name: `${label}tracing on: GET ${ROUTE}, non-blocking, 0 ms, c=${CONNECTIONS} (median)`,
        value: of('on', 'max', 'perSecond'),
        unit: 'req/s',
      },
      { name: `${label}tracing off: same (median)`, value: of('off', 'max', 'perSecond'), unit: 'req/s' },
      {
        name: `${label}tracing on / off (median of ${PAIRS} alternating pairs)`,
        value: throughputRatio,
        unit: 'x',
        goal: '>= 0.95',
        ok: throughputRatio >= 0.95,
      },
      // The spread shows how much the machine's other work moved the ratio during this run.
      {
        name: `${label}  lowest pair`,
        value: Math.min(...pairs.map((p) => p.on.max.perSecond / p.off.max.perSecond)),
        unit: 'x',
      },
      {
        name: `${label}  highest pair`,
        value: Math.max(...pairs.map((p) => p.on.max.perSecond / p.off.max.perSecond)),
        unit: 'x',
      },
      {
        name: `${label}at ${pacedRate} req/s: subject CPU per request, tracing on (median)`,
        value: of('on', 'paced', 'subjectUsPerRequest'),
        unit: 'µs',
      },
      {
        name: `${label}at ${pacedRate} req/s: subject CPU per request, tracing off (median)`,
        value: of('off', 'paced', 'subjectUsPerRequest'),
        unit: 'µs',
      },
      {
        name: `${label}at ${pacedRate} req/s: subject CPU on / off (median of pairs)`,
        value: pacedCpuRatio,
        unit: 'x',
        goal: '<= 1.05',
        ok: pacedCpuRatio <= 1.05,
      },
      {
        name: `${label}at ${pacedRate} req/s: receiving process CPU per request, on (median)`,
        value: of('on', 'paced', 'receiverUsPerRequest'),
        unit: 'µs',
      },
      {
        name: `${label}at ${pacedRate} req/s: receiving process CPU per request, off (median)`,
        value: of('off', 'paced', 'receiverUsPerRequest'),
        unit: 'µs',
      },
      // Below the fixed rate, the machine was too busy to hold it: CPU per request then compares less well.
      {
        name: `${label}at ${pacedRate} req/s: requests served, tracing on (median)`,
        value: of('on', 'paced', 'perSecond'),
        unit: 'req/s',
      },
      {
        name: `${label}at ${pacedRate} req/s: requests served, tracing off (median)`,
        value: of('off', 'paced', 'perSecond'),
        unit: 'req/s',
      },
      { name: `${label}trace events per request, tracing on`, value: of('on', 'paced', 'eventsPerRequest'), unit: '' },
    ];
  } finally {
    await supervisor.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable('tracing', await benchTracing());
  process.exit(0);
}
