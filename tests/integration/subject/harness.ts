/**
 * Shared set-up for the subject's integration tests: a real embedded MongoDB (seeded),
 * the real supervisor with its proxy and subject processes, and real HTTP requests.
 */
import http from 'node:http';
import { type Db, MongoClient, ObjectId } from 'mongodb';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { HEADER_RID, type TraceEvent, now } from '../../../common/trace';
import { type EmbeddedServer, startEmbeddedServer } from '../../../server/db/embedded/index';
import { LAB_DB_NAME } from '../../../server/db/seed';
import type { SubjectState } from '../../../server/subject/supervisorContract';
import { type InspectableSubjectSupervisor, createSubjectSupervisor } from '../../../server/subject/supervisor';

export interface Database {
  server: EmbeddedServer;
  client: MongoClient;
  db: Db;
  stop(): Promise<void>;
}

export async function startDatabase(port = 0): Promise<Database> {
  // Seeded by the server itself, as the lab seeds its embedded database (seedLab.ts): the same
  // users and index as seed.ts's seedUsers (tests/integration/db/embeddedSeed.test.ts), without
  // encoding and sending 10,000 documents from this process at every start.
  const server = await startEmbeddedServer({ port, log: () => undefined, seedLab: true });
  await server.seeded;
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
  const db = client.db(LAB_DB_NAME);
  return {
    server,
    client,
    db,
    stop: async () => {
      await client.close(true);
      await server.stop();
    },
  };
}

export interface Lab {
  supervisor: InspectableSubjectSupervisor;
  events: TraceEvent[];
  states: { state: SubjectState; message?: string }[];
  url(path: string): string;
}

export async function startLab(database: Pick<Database, 'server'>, patch: Partial<LabConfig> = {}): Promise<Lab> {
  const events: TraceEvent[] = [];
  const states: Lab['states'] = [];
  const supervisor = createSubjectSupervisor({
    mongoUri: database.server.uri,
    dbName: LAB_DB_NAME,
    onEvents: (batch) => events.push(...batch),
    onState: (state, message) => states.push({ state, message }),
  });
  await supervisor.start({ ...DEFAULT_CONFIG, ...patch });
  await supervisor.warm();
  return { supervisor, events, states, url: (path) => supervisor.url() + path };
}

export interface Reply {
  rid: string;
  status: number;
  body: string;
  sentAt: number;
  doneAt: number;
}

/** One request on its own connection (no shared keep-alive, so the balancer sees each). */
export function request(
  url: string,
  options: { method?: string; body?: string; headers?: Record<string, string>; rid?: string } = {},
): Promise<Reply> {
  const rid = options.rid ?? `t-${Math.random().toString(36).slice(2, 10)}`;
  const sentAt = now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', agent: false, headers: { [HEADER_RID]: rid, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            rid,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            sentAt,
            doneAt: now(),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface Batch {
  replies: Reply[];
  /** From the first send to the last response, ms. */
  elapsedMs: number;
}

/** `count` concurrent requests to the same URL. */
export async function batch(url: string, count: number, prefix = 'b'): Promise<Batch> {
  const tag = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const replies = await Promise.all(Array.from({ length: count }, (_, i) => request(url, { rid: `${tag}-${i}` })));
  const first = Math.min(...replies.map((r) => r.sentAt));
  const last = Math.max(...replies.map((r) => r.doneAt));
  return { replies, elapsedMs: last - first };
}

/** Polls until `check` passes or `timeoutMs` runs out. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * Waits until the lab has received the trace up to `until` (default: now): every worker
 * that was sampling shortly before it has shipped a sample stamped after it. Samples are taken every <= 50 ms and
 * shipped in batches, so this is the condition a fixed sleep would only hope for.
 */
export async function caughtUp(lab: Pick<Lab, 'events'>, until = now(), timeoutMs = 20_000): Promise<void> {
  await eventually(
    () => {
      const workers = new Set<number>();
      const late = new Set<number>();
      for (const event of lab.events) {
        if (event.type !== 'sample' || event.t < until - 500) continue;
        workers.add(event.worker);
        if (event.t >= until) late.add(event.worker);
      }
      return workers.size > 0 && late.size === workers.size;
    },
    timeoutMs,
    10,
  );
}

export function eventsFor(events: TraceEvent[], rid: string): TraceEvent[] {
  return events
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => 'rid' in event && event.rid === rid)
    .sort((a, b) => a.event.t - b.event.t || a.index - b.index)
    .map(({ event }) => event);
}

/** The largest loop delay sampled by the subject between two times. */
export function loopDelayMax(events: TraceEvent[], from: number, to: number): number {
  let max = 0;
  for (const event of events)
    if (event.type === 'sample' && event.t >= from && event.t <= to + 200) max = Math.max(max, event.loopDelayMaxMs);
  return max;
}

/**
 * Waits until the subject's sampler rests (two samples in a row 40 ms or more apart, where busy
 * ones are 25 ms), sends one GET /users/alice (configured with cpuMs, so its handler holds the
 * loop), and answers how long the handler held the loop and the delay the next sample reports.
 */
export async function blockAfterRest(lab: Lab): Promise<{ blockedMs: number; reportedMs: number }> {
  const quietFrom = now();
  await eventually(() => {
    const since = lab.events.flatMap((event) => (event.type === 'sample' && event.t > quietFrom ? [event.t] : []));
    return since.some((t, i) => i > 0 && t - since[i - 1]! >= 40);
  });
  const reply = await request(lab.url('/users/alice'));
  if (reply.status !== 200) throw new Error(`GET /users/alice answered ${reply.status}`);
  await caughtUp(lab);
  const blocked = lab.events.find(
    (event) => event.type === 'loop.blocked' && event.rid === reply.rid && event.reason === 'cpu',
  );
  if (blocked?.type !== 'loop.blocked') throw new Error('no loop.blocked event for the request');
  const after = lab.events.find((event) => event.type === 'sample' && event.t >= blocked.t + blocked.durationMs);
  if (after?.type !== 'sample') throw new Error('no sample after the block');
  return { blockedMs: blocked.durationMs, reportedMs: after.loopDelayMaxMs };
}

/**
 * An id for a user that is newer than `after` whichever process made `after`. ObjectIds from two
 * processes are ordered only by their second: a fresh id made here in the same second as the
 * subject's last one is lower half the time, and a long poll for "newer than `after`" would
 * never see it. A later second settles it.
 */
export function idNewerThan(after: string): ObjectId {
  const id = new ObjectId();
  if (id.toHexString() > after) return id;
  return ObjectId.createFromTime(Math.floor(new ObjectId(after).getTimestamp().getTime() / 1000) + 1);
}
