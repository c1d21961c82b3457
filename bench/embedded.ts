/**
 * Benchmarks of the embedded MongoDB-compatible server, measured through
 * the official driver while the server runs in its own child process.
 * `npx tsx bench/embedded.ts` runs it alone; `npm run bench` includes it.
 *
 * The 50-connection load comes from two client processes. The driver spends more CPU per
 * findOne than the server does, so on two cores the clients and the server share the machine;
 * with other work on it too, ops/s alone says little. The server's own CPU per findOne (from
 * process.cpuUsage, read through serverStatus) is what the server costs, and 1 s divided by it
 * is the rate one core would sustain for the server alone: both are printed beside ops/s.
 *
 * `EMBEDDED_BASELINE=<git rev> npm run bench -- embedded` (or `npx tsx bench/embedded.ts
 * --baseline=<rev>`) also measures that revision's server side by side with this one, in
 * alternating blocks, and prints the ratio: on a shared machine only figures taken in the
 * same run, interleaved, can be compared.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Collection, BSON, MongoClient, UUID } from 'mongodb';
import { exitWithParent, spawnNode, stopChild } from '../server/process/children';
import { startEmbeddedServer } from '../server/db/embedded';
import { compileEmbedded, embeddedBundle } from '../server/db/embedded/bundle';
import { type BenchRow, printTable } from './table';

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

/** The driver needs more CPU than the server: two processes so that one core is not its limit. */
const DRIVER_PROCESSES = 2;
/** Raw sockets cost little: one process leaves the other core to the server. */
const WIRE_PROCESSES = Number(process.env.WIRE_PROCESSES ?? 1);
const LOAD_CONNECTIONS = 50;
const LOAD_MS = 3000;
const LOAD_ROUNDS = 3;

const cpuMicros = (usage: NodeJS.CpuUsage) => usage.user + usage.system;

/**
 * How a load process drives its connections: `driver` through the official MongoClient (what
 * the lab does), `wire` by replaying the bytes the driver sends for findOne over raw sockets.
 * The driver spends several times the server's CPU per findOne, so on two cores a driver load
 * measures the driver as much as the server; the wire load costs little more than its socket
 * calls, and shows what the server itself sustains.
 */
type LoadKind = 'driver' | 'wire';

/** Messages between this process and a load process. */
type LoadMessage = { warmed: true } | { done: number; cpuUs: number };

/** Runs `connections` loops of `findOne` until `until`; returns how many finished. */
async function loops(
  connections: number,
  until: number,
  findOne: (connection: number) => Promise<void>,
): Promise<number> {
  let done = 0;
  await Promise.all(
    Array.from({ length: connections }, async (_, connection) => {
      while (Date.now() < until) {
        await findOne(connection);
        done++;
      }
    }),
  );
  return done;
}

/** The OP_MSG the driver (7.x) sends for users.findOne({ username }), byte for byte but for the session id. */
function findOneMessage(username: string): Buffer {
  const doc = BSON.serialize({
    find: 'users',
    filter: { username },
    limit: 1,
    singleBatch: true,
    lsid: { id: new UUID() },
    $db: 'bench',
  });
  const message = Buffer.alloc(21 + doc.length);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(2013, 12); // OP_MSG; flags and section kind stay 0
  message.set(doc, 21);
  return message;
}

/** One raw connection that sends a findOne and resolves with the reply; checks the user came back. */
async function wireConnection(port: number): Promise<(username: string, message: Buffer) => Promise<void>> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await once(socket, 'connect');
  let pending: { resolve: () => void; reject: (error: Error) => void; username: string } | undefined;
  let received: Buffer = Buffer.alloc(0);
  let requestId = 0;
  socket.on('data', (chunk: Buffer) => {
    received = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    if (received.length < 4 || received.length < received.readInt32LE(0)) return;
    const reply = received;
    received = Buffer.alloc(0);
    const waiter = pending!;
    pending = undefined;
    if (reply.readInt32LE(8) !== requestId || reply.indexOf(waiter.username) < 0)
      waiter.reject(new Error(`wrong reply to findOne(${waiter.username})`));
    else waiter.resolve();
  });
  return (username, message) =>
    new Promise<void>((resolve, reject) => {
      pending = { resolve, reject, username };
      message.writeInt32LE(++requestId, 4);
      socket.write(Buffer.from(message));
    });
}

/**
 * In a load process: `connections` connections, one findOne loop each, for `ms` after the
 * parent says go. Reports how many finished and the CPU this process spent on them.
 */
async function runLoadProcess(kind: LoadKind, uri: string, connections: number, ms: number): Promise<void> {
  let findOne: (connection: number) => Promise<void>;
  let close = async () => {};
  if (kind === 'driver') {
    const client = new MongoClient(uri, {
      maxPoolSize: connections,
      minPoolSize: connections,
      maxConnecting: connections,
    });
    const users = client.db('bench').collection('users');
    findOne = async () => void (await users.findOne({ username: randomUsername() }));
    close = () => client.close();
  } else {
    const messages = new Map(
      Array.from({ length: USERS }, (_, i) => [user(i).username, findOneMessage(user(i).username)]),
    );
    const sockets = await Promise.all(
      Array.from({ length: connections }, () => wireConnection(Number(new URL(uri).port))),
    );
    findOne = (connection) => {
      const username = randomUsername();
      return sockets[connection]!(username, messages.get(username)!);
    };
  }
  await loops(connections, Date.now() + 500, findOne); // warm up: pool, JIT
  process.send!({ warmed: true } satisfies LoadMessage);
  await new Promise((resolve) => process.once('message', resolve));
  const cpuBefore = process.cpuUsage();
  const done = await loops(connections, Date.now() + ms, findOne);
  process.send!({ done, cpuUs: cpuMicros(process.cpuUsage(cpuBefore)) } satisfies LoadMessage);
  await close();
}

interface LoadResult {
  perSecond: number;
  serverUsPerOp: number;
  clientUsPerOp: number;
}

/** One timed round of the 50-connection load from `processes` load processes. */
async function loadRound(
  kind: LoadKind,
  processes: number,
  uri: string,
  serverCpu: () => Promise<number>,
): Promise<LoadResult> {
  const entry = fileURLToPath(import.meta.url);
  const children = Array.from({ length: processes }, () =>
    spawnNode(entry, ['--load', kind, uri, String(LOAD_CONNECTIONS / processes), String(LOAD_MS)], {
      stdio: 'inherit',
    }),
  );
  try {
    const next = (kind: 'warmed' | 'done') =>
      Promise.all(
        children.map(
          (child) =>
            new Promise<LoadMessage>((resolve, reject) => {
              const onMessage = (m: LoadMessage) => {
                if (!(kind in m)) return;
                child.off('message', onMessage);
                resolve(m);
              };
              child.on('message', onMessage);
              child.once('exit', (code) => reject(new Error(`load process exited (${code}) before it was ${kind}`)));
            }),
        ),
      );
    await next('warmed');
    const serverBefore = await serverCpu();
    const start = performance.now();
    for (const child of children) child.send('go');
    const results = (await next('done')) as Array<{ done: number; cpuUs: number }>;
    const seconds = (performance.now() - start) / 1000;
    const serverUs = (await serverCpu()) - serverBefore;
    const done = results.reduce((sum, r) => sum + r.done, 0);
    return {
      perSecond: done / seconds,
      serverUsPerOp: serverUs / done,
      clientUsPerOp: results.reduce((sum, r) => sum + r.cpuUs, 0) / done,
    };
  } finally {
    await Promise.all(children.map((child) => stopChild(child)));
  }
}

/** LOAD_ROUNDS rounds of one kind of load: the best throughput, and median CPU per findOne. */
async function measureLoad(kind: LoadKind, processes: number, uri: string, serverCpu: () => Promise<number>) {
  const rounds: LoadResult[] = [];
  for (let i = 0; i < LOAD_ROUNDS; i++) rounds.push(await loadRound(kind, processes, uri, serverCpu));
  return {
    // The best round is the one the machine's other work disturbed least.
    perSecond: Math.max(...rounds.map((r) => r.perSecond)),
    serverUsPerOp: median(rounds.map((r) => r.serverUsPerOp)),
    clientUsPerOp: median(rounds.map((r) => r.clientUsPerOp)),
  };
}

const SCAN_DOCS = 100_000;
const SCAN_ROUNDS = 5;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/**
 * A long unindexed scan on one connection while another connection pings in a loop: the
 * server yields during long scans, so the pings should wait milliseconds, not the whole scan.
 */
async function pingDuringScan(uri: string, loader: MongoClient) {
  const scanned = loader.db('bench').collection('scan');
  for (let at = 0; at < SCAN_DOCS; at += 10_000) {
    await scanned.insertMany(
      Array.from({ length: 10_000 }, (_, i) => ({ i: at + i, v: (at + i) % 97, pad: 'x'.repeat(40) })),
    );
  }
  const pinger = new MongoClient(uri, { maxPoolSize: 1 });
  try {
    const admin = pinger.db('admin');
    const idle: number[] = [];
    for (let i = 0; i < 300; i++) {
      const start = performance.now();
      await admin.command({ ping: 1 });
      idle.push(performance.now() - start);
    }
    const busy: number[] = [];
    const scans: number[] = [];
    for (let round = 0; round < SCAN_ROUNDS; round++) {
      let scanning = true;
      const start = performance.now();
      const scan = scanned
        .countDocuments({ v: -1 })
        .then(() => scans.push(performance.now() - start))
        .finally(() => (scanning = false));
      while (scanning) {
        const pingStart = performance.now();
        await admin.command({ ping: 1 });
        if (scanning) busy.push(performance.now() - pingStart);
      }
      await scan;
    }
    return {
      busyP99: percentile(busy, 99),
      idleP99: percentile(idle, 99),
      scanMs: median(scans),
      scans: scans.length,
      pings: busy.length,
    };
  } finally {
    await pinger.close();
  }
}

/** findOne round trips, one at a time on one connection, in ms. */
async function roundTrips(users: Collection, n: number): Promise<number[]> {
  const rtts: number[] = [];
  for (let i = 0; i < n; i++) {
    const username = randomUsername();
    const start = performance.now();
    const found = await users.findOne({ username });
    rtts.push(performance.now() - start);
    if (found?.username !== username) throw new Error(`findOne(${username}) returned ${JSON.stringify(found)}`);
  }
  return rtts;
}

const WARM_BLOCK = 500;
const WARM_MIN = 5_000;
const WARM_MAX = 20_000;

/**
 * Warms the findOne path until its latency stops falling. V8 compiles the server's and the
 * driver's hot functions in tiers over the first thousands of calls: measured cold, the median
 * of the first 3,000 findOnes was twice the steady one (0.72 ms, then 0.35 ms), so a median over
 * them measured the JIT, not the server. At least WARM_MIN calls, then until a block of
 * WARM_BLOCK is no more than 5 % faster than the best block before it (at most WARM_MAX).
 * Returns how many calls it took.
 */
async function warmUp(users: Collection): Promise<number> {
  let best = Infinity;
  let calls = 0;
  while (calls < WARM_MAX) {
    const block = median(await roundTrips(users, WARM_BLOCK));
    calls += WARM_BLOCK;
    const improved = block < best * 0.95;
    best = Math.min(best, block);
    if (calls >= WARM_MIN && !improved) break;
  }
  return calls;
}

/** The bench's users, indexed by username, in `client`'s bench database. */
async function seedUsers(client: MongoClient): Promise<{ users: Collection; insertMs: number }> {
  const users = client.db('bench').collection('users');
  await users.createIndex({ username: 1 }, { unique: true });
  const docs = Array.from({ length: USERS }, (_, i) => user(i));
  // The first insertMany of a process also compiles the driver's and the server's insert
  // paths (~0.5 s cold); warm them on another collection so the row measures inserting.
  await client
    .db('bench')
    .collection('warmup')
    .insertMany(Array.from({ length: 1000 }, (_, i) => user(i)));
  const insertStart = performance.now();
  await users.insertMany(docs);
  return { users, insertMs: performance.now() - insertStart };
}

/** The server's CPU time so far (user + system), in µs, from serverStatus. */
async function serverCpuOf(client: MongoClient): Promise<number> {
  const { extra_info: cpu } = await client.db('admin').command({ serverStatus: 1 });
  return (cpu.user_time_us as number) + (cpu.system_time_us as number);
}

/**
 * The embedded server's cli.ts of another commit, compiled as the lab compiles this one
 * (bundle.ts): a temporary git worktree of `rev` under the temp folder, sharing this
 * checkout's node_modules. Returns the bundle and a function removing both.
 */
async function bundleOfRevision(rev: string): Promise<{ entry: string; label: string; remove: () => void }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const commit = execFileSync('git', ['rev-parse', '--short', `${rev}^{commit}`], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
  const tree = mkdtempSync(path.join(tmpdir(), `embedded-baseline-${commit}-`));
  execFileSync('git', ['worktree', 'add', '--detach', tree, commit], { cwd: root, stdio: 'ignore' });
  const remove = () => {
    execFileSync('git', ['worktree', 'remove', '--force', tree], { cwd: root, stdio: 'ignore' });
    rmSync(tree, { recursive: true, force: true });
  };
  try {
    symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
    const cli = path.join(tree, 'server/db/embedded/cli.ts');
    if (!existsSync(cli)) throw new Error(`${rev} has no server/db/embedded/cli.ts`);
    const entry = await compileEmbedded(cli, path.join(tree, '.bench-build'));
    return { entry, label: commit, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

const AB_ROUNDS = 12;

/**
 * This tree's server against `rev`'s, side by side in one run: both compiled the same way,
 * both seeded and warmed alike, then blocks of findOnes on one connection alternating between
 * them (A B B A ...) so that the machine's other work falls on both. Prints both medians and
 * the ratio, and each server's CPU per findOne; then the same on the raw wire (the driver's
 * bytes on a bare socket), where the driver's own CPU no longer hides the server's.
 */
async function compareWith(
  rev: string,
  current: { users: Collection; client: MongoClient; port: number },
): Promise<BenchRow[]> {
  const baseline = await bundleOfRevision(rev);
  const server = await startEmbeddedServer({ compiled: baseline.entry, log: () => {} });
  const client = new MongoClient(server.uri, { maxPoolSize: 1 });
  try {
    const { users } = await seedUsers(client);
    await warmUp(users);
    const wires = await Promise.all([wireConnection(current.port), wireConnection(server.port)]);
    const messages = new Map(
      Array.from({ length: USERS }, (_, i) => [user(i).username, findOneMessage(user(i).username)]),
    );
    /** The raw wire: the driver's findOne bytes on a bare socket, so the round trip is mostly the server's. */
    const wireTrips = async (send: (typeof wires)[number], n: number) => {
      const rtts: number[] = [];
      for (let i = 0; i < n; i++) {
        const username = randomUsername();
        const start = performance.now();
        await send(username, messages.get(username)!);
        rtts.push(performance.now() - start);
      }
      return rtts;
    };
    const sides = [
      {
        users: current.users,
        client: current.client,
        wire: wires[0],
        rtts: [] as number[],
        cpu: 0,
        wireRtts: [] as number[],
        wireCpu: 0,
      },
      { users, client, wire: wires[1], rtts: [] as number[], cpu: 0, wireRtts: [] as number[], wireCpu: 0 },
    ];
    for (const side of sides) await wireTrips(side.wire, WARM_MIN);
    for (let round = 0; round < AB_ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        let before = await serverCpuOf(side.client);
        side.rtts.push(...(await roundTrips(side.users, WARM_BLOCK)));
        side.cpu += (await serverCpuOf(side.client)) - before;
        before = await serverCpuOf(side.client);
        side.wireRtts.push(...(await wireTrips(side.wire, 2 * WARM_BLOCK)));
        side.wireCpu += (await serverCpuOf(side.client)) - before;
      }
    }
    const [now, then] = sides.map((side) => ({
      median: median(side.rtts),
      cpuUs: side.cpu / side.rtts.length,
      wire: median(side.wireRtts),
      wireCpuUs: side.wireCpu / side.wireRtts.length,
    })) as [
      { median: number; cpuUs: number; wire: number; wireCpuUs: number },
      { median: number; cpuUs: number; wire: number; wireCpuUs: number },
    ];
    const ratio = now.median / then.median;
    const label = rev === baseline.label ? rev : `${baseline.label} (${rev})`;
    return [
      {
        name: `A/B, alternating blocks: findOne through the driver, 1 connection, this tree (median)`,
        value: now.median,
        unit: 'ms',
      },
      { name: `  the same at ${label} (median)`, value: then.median, unit: 'ms' },
      { name: `  ratio this tree / ${baseline.label}`, value: ratio, unit: 'x', goal: '<= 1.10', ok: ratio <= 1.1 },
      {
        name: `  server CPU per findOne, this tree / ${baseline.label}`,
        value: now.cpuUs,
        unit: `µs / ${then.cpuUs.toFixed(0)} µs`,
      },
      {
        name: `  findOne on the raw wire, 1 connection, this tree / ${baseline.label} (medians)`,
        value: now.wire * 1000,
        unit: `µs / ${(then.wire * 1000).toFixed(0)} µs`,
      },
      { name: `  ratio (raw wire) this tree / ${baseline.label}`, value: now.wire / then.wire, unit: 'x' },
      {
        name: `  server CPU per raw-wire findOne, this tree / ${baseline.label}`,
        value: now.wireCpuUs,
        unit: `µs / ${then.wireCpuUs.toFixed(0)} µs`,
      },
      { name: '  server CPU ratio (raw wire) this tree / baseline', value: now.wireCpuUs / then.wireCpuUs, unit: 'x' },
    ];
  } finally {
    await client.close();
    await server.stop();
    baseline.remove();
  }
}

export interface EmbeddedBenchOptions {
  /** Node flags for the server process, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  serverNodeFlags?: string[];
  /** A git revision whose embedded server to measure side by side with this one (or EMBEDDED_BASELINE). */
  baseline?: string;
}

export async function benchEmbedded(options: EmbeddedBenchOptions = {}): Promise<BenchRow[]> {
  // Compiled as npm start runs it: through tsx every function would also be renamed at creation (keepNames), which the lab never pays.
  const server = await startEmbeddedServer({ nodeFlags: options.serverNodeFlags, compiled: await embeddedBundle() });
  const single = new MongoClient(server.uri, { maxPoolSize: 1 });
  try {
    const { users, insertMs } = await seedUsers(single);

    // One connection, one request at a time: the round trip a blocking handler would wait for.
    const warmCalls = await warmUp(users);
    const rtts = await roundTrips(users, 3000);
    const baseline = options.baseline ?? process.env.EMBEDDED_BASELINE;
    const compared = baseline ? await compareWith(baseline, { users, client: single, port: server.port }) : [];

    // 50 connections kept busy for a fixed time, a few rounds of each kind of load.
    const serverCpu = () => serverCpuOf(single);
    const wire = await measureLoad('wire', WIRE_PROCESSES, server.uri, serverCpu);
    const driver = await measureLoad('driver', DRIVER_PROCESSES, server.uri, serverCpu);

    // No index on last_name: every lookup walks all 10,000 documents (a later lesson shows it).
    const scans: number[] = [];
    for (let i = 0; i < 50; i++) {
      const start = performance.now();
      await users.findOne({ last_name: 'Nobody' });
      scans.push(performance.now() - start);
    }

    const ping = await pingDuringScan(server.uri, single);

    const rtt = median(rtts);
    const loadRows = (kind: string, load: typeof wire): BenchRow[] => [
      {
        name: `findOne by indexed username, ${LOAD_CONNECTIONS} connections, ${kind} (best of ${LOAD_ROUNDS})`,
        value: load.perSecond,
        unit: 'ops/s',
        goal: '>= 10,000/s',
        ok: load.perSecond >= 10_000,
      },
      { name: '  server CPU per findOne (median)', value: load.serverUsPerOp, unit: 'µs' },
      { name: '  server capacity on one free core (1 s / that CPU)', value: 1e6 / load.serverUsPerOp, unit: 'ops/s' },
      { name: "  load processes' CPU per findOne (median)", value: load.clientUsPerOp, unit: 'µs' },
    ];
    return [
      {
        name: `findOne by indexed username, 1 connection (median of 3,000 after ${warmCalls.toLocaleString('en')} to warm up)`,
        value: rtt,
        unit: 'ms',
        goal: '<= 0.5 ms',
        ok: rtt <= 0.5,
      },
      ...compared,
      ...loadRows(`raw wire load (${WIRE_PROCESSES} process)`, wire),
      ...loadRows(`driver load (${DRIVER_PROCESSES} processes)`, driver),
      {
        name: `insertMany of ${USERS.toLocaleString('en')} documents (after a 1,000-document warm-up)`,
        value: insertMs,
        unit: 'ms',
        goal: '< 1000 ms',
        ok: insertMs < 1000,
      },
      {
        name: `findOne on an unindexed field over ${USERS.toLocaleString('en')} documents (median)`,
        value: median(scans),
        unit: 'ms',
      },
      {
        name: `ping p99 on another connection during a ${SCAN_DOCS.toLocaleString('en')}-document unindexed scan`,
        value: ping.busyP99,
        unit: 'ms',
        goal: '<= 50 ms',
        ok: ping.busyP99 <= 50,
      },
      { name: `  ping p99 with the server idle (same connection)`, value: ping.idleP99, unit: 'ms' },
      {
        name: `  the scan itself (median of ${ping.scans}, ${ping.pings} pings during them)`,
        value: ping.scanMs,
        unit: 'ms',
      },
    ];
  } finally {
    await single.close();
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [flag, kind, uri, connections, ms] = process.argv.slice(2);
  if (flag === '--load') {
    exitWithParent();
    await runLoadProcess(kind as LoadKind, uri!, Number(connections), Number(ms));
    process.exit(0);
  }
  const profileDir = process.argv.includes('--profile-server') ? path.join(tmpdir(), 'embedded-profiles') : undefined;
  const baseline = process.argv.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);
  const rows = await benchEmbedded({
    serverNodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : undefined,
    baseline,
  });
  printTable('embedded', rows);
  if (profileDir) console.log(`server CPU profile written to ${profileDir}/`);
}
