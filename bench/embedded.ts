/**
 * Benchmarks of the embedded MongoDB-compatible server (issue 2, "Benchmark"), measured through
 * the official driver from this process while the server runs in its own child process.
 * `npx tsx bench/embedded.ts` runs it alone; `npm run bench` includes it.
 */
import { pathToFileURL } from 'node:url';
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

export async function benchEmbedded(): Promise<EmbeddedBenchRow[]> {
  const server = await startEmbeddedServer();
  const single = new MongoClient(server.uri, { maxPoolSize: 1 });
  const pooled = new MongoClient(server.uri, { maxPoolSize: 50, minPoolSize: 50 });
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

    // 50 connections kept busy by 50 loops for a fixed time.
    const pooledUsers = pooled.db('bench').collection('users');
    await Promise.all(Array.from({ length: 50 }, () => pooledUsers.findOne({ username: randomUsername() })));
    const serverCpu = async () => {
      const { extra_info: cpu } = await single.db('admin').command({ serverStatus: 1 });
      return (cpu.user_time_us as number) + (cpu.system_time_us as number);
    };
    const serverBefore = await serverCpu();
    const clientBefore = process.cpuUsage();
    let done = 0;
    const until = performance.now() + 3000;
    const loop = async () => {
      while (performance.now() < until) {
        await pooledUsers.findOne({ username: randomUsername() });
        done++;
      }
    };
    const loadStart = performance.now();
    await Promise.all(Array.from({ length: 50 }, loop));
    const perSecond = done / ((performance.now() - loadStart) / 1000);
    const clientCpu = process.cpuUsage(clientBefore);
    // CPU per request on each side shows which one limits throughput on a shared 2-core machine.
    const serverUsPerOp = ((await serverCpu()) - serverBefore) / done;
    const clientUsPerOp = (clientCpu.user + clientCpu.system) / done;

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
      { name: '  driver (this process) CPU per findOne under that load', value: clientUsPerOp, unit: 'µs' },
      { name: `insertMany of ${USERS.toLocaleString('en')} documents`, value: insertMs, unit: 'ms', goal: '< 1000 ms', ok: insertMs < 1000 },
      { name: `findOne on an unindexed field over ${USERS.toLocaleString('en')} documents (median)`, value: median(scans), unit: 'ms' },
    ];
  } finally {
    await Promise.all([single.close(), pooled.close()]);
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchEmbedded();
  const cells = rows.map((r) => [r.name, `${r.value < 10 ? r.value.toFixed(3) : Math.round(r.value)} ${r.unit}`, r.goal ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO']);
  const header = ['measure', 'value', 'goal', 'met'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  for (const line of [header, widths.map((w) => '-'.repeat(w)), ...cells]) console.log(line.map((c, i) => c.padEnd(widths[i]!)).join(' | '));
}
