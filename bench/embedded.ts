/**
 * Benchmarks of the embedded MongoDB-compatible server (issue 2, "Benchmark"), measured through
 * the official driver from this process while the server runs in its own child process.
 * `npx tsx bench/embedded.ts` runs it alone; `npm run bench` includes it.
 */
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { MongoClient } from 'mongodb';
import { startEmbeddedServer } from '../server/db/embedded';

export interface EmbeddedBenchRow {
  name: string;
  value: number;
  unit: string;
  goal?: string;
  ok?: boolean;
}

const USERS = 10_000;
const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Niklaus'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Wirth'];
const CITIES = ['Oslo', 'Lima', 'Pune', 'Accra', 'Quito', 'Hanoi', 'Turin', 'Perth'];

function user(i: number) {
  return {
    username: `user${String(i).padStart(5, '0')}`,
    first_name: FIRST[i % FIRST.length]!,
    last_name: LAST[Math.floor(i / FIRST.length) % LAST.length]!,
    city: CITIES[i % CITIES.length]!,
    created_at: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000),
  };
}

const randomUsername = () => user(Math.floor(Math.random() * USERS)).username;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const LOAD_WORKERS = 2;
const LOAD_CONNECTIONS = 50;
const LOAD_MS = 3000;

/**
 * In a load worker: LOAD_CONNECTIONS / LOAD_WORKERS connections, one loop each, for LOAD_MS.
 * The driver costs several times more CPU per request than the server, so one thread cannot
 * load it; two threads (each its own MongoClient) share the 50 connections.
 */
async function loadWorker(uri: string, connections: number): Promise<number> {
  const client = new MongoClient(uri, { maxPoolSize: connections, minPoolSize: connections });
  const users = client.db('bench').collection('users');
  await Promise.all(Array.from({ length: connections }, () => users.findOne({ username: randomUsername() })));
  parentPort!.postMessage({ warmed: true });
  const start: number = await new Promise((resolve) => parentPort!.once('message', resolve));
  let done = 0;
  const until = start + LOAD_MS;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        await users.findOne({ username: randomUsername() });
        done++;
      }
    }),
  );
  await client.close();
  return done;
}

/** Runs the 50-connection load in worker threads; returns findOne/s and the workers' CPU per request. */
async function loadFromWorkers(uri: string): Promise<{ perSecond: number; done: number }> {
  // Workers do not inherit tsx's loader, so each registers it before importing this file.
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const workers = Array.from(
    { length: LOAD_WORKERS },
    () => new Worker(boot, { eval: true, workerData: { embeddedLoad: { uri, connections: LOAD_CONNECTIONS / LOAD_WORKERS } } }),
  );
  const counts = workers.map(
    (worker) =>
      new Promise<number>((resolve, reject) => {
        worker.on('message', (m: { done?: number }) => m.done !== undefined && resolve(m.done));
        worker.once('error', reject);
      }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const start = Date.now() + 50;
  for (const worker of workers) worker.postMessage(start);
  const done = (await Promise.all(counts)).reduce((a, b) => a + b, 0);
  const elapsed = (Date.now() - start) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return { perSecond: done / elapsed, done };
}

export async function benchEmbedded(): Promise<EmbeddedBenchRow[]> {
  const server = await startEmbeddedServer();
  const single = new MongoClient(server.uri, { maxPoolSize: 1 });
  try {
    const users = single.db('bench').collection('users');
    await users.createIndex({ username: 1 }, { unique: true });
    const docs = Array.from({ length: USERS }, (_, i) => user(i));
    const insertStart = performance.now();
    await users.insertMany(docs);
    const insertMs = performance.now() - insertStart;

    // One connection, one request at a time: the round trip a blocking handler would wait for.
    for (let i = 0; i < 500; i++) await users.findOne({ username: randomUsername() });
    const rtts: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const start = performance.now();
      await users.findOne({ username: randomUsername() });
      rtts.push(performance.now() - start);
    }

    // 50 connections kept busy by 50 loops for a fixed time, from worker threads.
    const serverCpu = async () => {
      const { extra_info: cpu } = await single.db('admin').command({ serverStatus: 1 });
      return (cpu.user_time_us as number) + (cpu.system_time_us as number);
    };
    const serverBefore = await serverCpu();
    const { perSecond, done } = await loadFromWorkers(server.uri);
    // Server CPU per request shows whether the server or the load generator is the limit.
    const serverUsPerOp = ((await serverCpu()) - serverBefore) / done;

    // No index on last_name: every lookup walks all 10,000 documents (a later lesson shows it).
    const scans: number[] = [];
    for (let i = 0; i < 50; i++) {
      const start = performance.now();
      await users.findOne({ last_name: 'Nobody' });
      scans.push(performance.now() - start);
    }

    const rtt = median(rtts);
    return [
      { name: 'findOne by indexed username, 1 connection (median)', value: rtt, unit: 'ms', goal: '<= 0.5 ms', ok: rtt <= 0.5 },
      { name: 'findOne by indexed username, 50 connections', value: perSecond, unit: 'ops/s', goal: '>= 10,000/s', ok: perSecond >= 10_000 },
      { name: '  server CPU per findOne under that load', value: serverUsPerOp, unit: 'µs' },
      { name: `insertMany of ${USERS.toLocaleString('en')} documents`, value: insertMs, unit: 'ms', goal: '< 1000 ms', ok: insertMs < 1000 },
      { name: `findOne on an unindexed field over ${USERS.toLocaleString('en')} documents (median)`, value: median(scans), unit: 'ms' },
    ];
  } finally {
    await single.close();
    await server.stop();
  }
}

const load = (workerData as { embeddedLoad?: { uri: string; connections: number } } | null)?.embeddedLoad;
if (!isMainThread && load) {
  parentPort!.postMessage({ done: await loadWorker(load.uri, load.connections) });
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchEmbedded();
  const cells = rows.map((r) => [r.name, `${r.value < 10 ? r.value.toFixed(3) : Math.round(r.value)} ${r.unit}`, r.goal ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
  const header = ['measure', 'value', 'goal', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  for (const line of [header, widths.map((w) => '-'.repeat(w)), ...cells]) console.log(line.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
}
