/**
 * The trace: every request the subject serves leaves a complete, ordered lifecycle, in
 * every way the subject can reach MongoDB, and nothing at all when tracing is off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { type TraceEvent, parseTraceEvent } from '../../../common/trace';
import { type Database, type Lab, batch, caughtUp, eventsFor, request, startDatabase, startLab } from './harness';

let database: Database;
let lab: Lab;

beforeAll(async () => {
  database = await startDatabase();
  lab = await startLab(database, { dbLatencyMs: 20 });
});
afterAll(async () => {
  await lab?.supervisor.stop();
  await database?.stop();
});

/** What a request's events must look like, in time order. */
function lifecycle(events: TraceEvent[]): string[] {
  return events
    .filter((event) => event.type !== 'loop.blocked' && event.type !== 'pool.wait')
    .map((event) => (event.type === 'handler.step' ? `step:${event.step}` : event.type));
}

const EXPECTED = [
  'subject.accepted',
  'step:parse',
  'step:cpu',
  'step:query',
  'db.call',
  'db.sent',
  'db.reply',
  'step:respond',
  'subject.responded',
];
const EXPECTED_CALLBACK = [...EXPECTED.slice(0, 7), 'step:callback', ...EXPECTED.slice(7)];

const VARIANTS: [string, Partial<LabConfig>][] = [
  ['non-blocking', { mode: 'nonblocking' }],
  ['blocking', { mode: 'blocking' }],
  ['blocking with an executor', { mode: 'blocking', executorThreads: 3 }],
  ['non-blocking with 2 workers', { mode: 'nonblocking', workers: 2 }],
];

describe.each(VARIANTS)('every traced request, %s', (_name, patch) => {
  it('has a complete, ordered lifecycle on every route', async () => {
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 20, cpuMs: 2, poolSize: 3, ...patch });
    const paths = ['/users/alice', '/callback/users/alice', '/users?city=Oslo&limit=3', '/stats'];
    const batches = await Promise.all(paths.map((path) => batch(lab.url(path), 6, 'life')));
    const created = await request(lab.url('/users'), {
      method: 'POST',
      body: JSON.stringify({ username: `life_${Date.now()}`, first_name: 'Life' }),
    });
    expect(created.status).toBe(201);
    await caughtUp(lab);

    const check = (rid: string, callback: boolean) => {
      const events = eventsFor(lab.events, rid);
      expect(lifecycle(events), rid).toEqual(callback ? EXPECTED_CALLBACK : EXPECTED);
      const responded = events.at(-1);
      expect(responded?.type === 'subject.responded' ? responded.status : 0).toBe(rid === created.rid ? 201 : 200);
      for (const event of events) expect(parseTraceEvent(event).ok).toBe(true);
      const blocked = events.filter((event) => event.type === 'loop.blocked');
      // cpuMs 2: the CPU work blocks the loop; in blocking mode (no executor) the database call does too.
      expect(blocked.filter((event) => event.type === 'loop.blocked' && event.reason === 'cpu')).toHaveLength(1);
      const dbBlocked = blocked.filter((event) => event.type === 'loop.blocked' && event.reason === 'db').length;
      expect(dbBlocked).toBe(patch.mode === 'blocking' && !patch.executorThreads ? 1 : 0);
    };
    batches.forEach((result, index) => {
      for (const reply of result.replies) {
        expect(reply.status).toBe(200);
        check(reply.rid, paths[index]!.startsWith('/callback'));
      }
    });
    check(created.rid, false);
  });
});

describe('tracing off', () => {
  it('emits nothing at all', async () => {
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 0, tracing: false });
    const result = await batch(lab.url('/users/alice'), 5);
    expect(result.replies.every((reply) => reply.status === 200)).toBe(true);
    const [start, end] = [
      Math.min(...result.replies.map((r) => r.sentAt)),
      Math.max(...result.replies.map((r) => r.doneAt)),
    ];
    // Turn tracing back on and wait for the trace to catch up: anything the batch emitted
    // while tracing was off would have arrived by then.
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 0, tracing: true });
    await caughtUp(lab);
    const rids = new Set(result.replies.map((reply) => reply.rid));
    expect(lab.events.filter((event) => 'rid' in event && rids.has(event.rid))).toEqual([]);
    expect(lab.events.filter((event) => event.type === 'sample' && event.t >= start && event.t <= end)).toEqual([]);
  });
});
