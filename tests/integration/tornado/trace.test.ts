/**
 * The Tornado subject keeps the same trace contract as the Node subject: every request
 * leaves a complete, ordered lifecycle that validates against common/trace.ts, in every
 * way the subject can reach MongoDB, with its Python handler's file as the handler name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { type TraceEvent, parseTraceEvent } from '../../../common/trace';
import {
  type Database,
  type Lab,
  batch,
  caughtUp,
  eventsFor,
  request,
  startDatabase,
  startLab,
} from '../subject/harness';
import { noTornado } from './python';

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

const VARIANTS: [string, Partial<LabConfig>, string][] = [
  ['non-blocking (Motor or AsyncMongoClient)', { mode: 'nonblocking' }, 'nonblocking'],
  ['blocking (pymongo on the IOLoop)', { mode: 'blocking' }, 'blocking'],
  ['blocking with run_in_executor', { mode: 'blocking', executorThreads: 3 }, 'nonblocking'],
  ['non-blocking with 2 workers', { mode: 'nonblocking', workers: 2 }, 'nonblocking'],
];
const PATHS = ['/users/alice', '/callback/users/alice', '/users?city=Oslo&limit=3', '/stats'];
const FILES = ['get_user', 'get_user_callback', 'list_by_city', 'stats'];

describe.skipIf(noTornado)('the Tornado subject’s trace', () => {
  let database: Database;
  let lab: Lab;
  beforeAll(async () => {
    database = await startDatabase();
    lab = await startLab(database, { runtime: 'tornado', dbLatencyMs: 20 });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
    await database?.stop();
  });

  describe.each(VARIANTS)('every traced request, %s', (_name, patch, files) => {
    it('has a complete, ordered lifecycle on every route, naming its Python handler', async () => {
      await lab.supervisor.apply({
        ...DEFAULT_CONFIG,
        runtime: 'tornado',
        dbLatencyMs: 20,
        cpuMs: 2,
        poolSize: 3,
        ...patch,
      });
      await lab.supervisor.warm();
      const batches = await Promise.all(PATHS.map((path) => batch(lab.url(path), 6, 'life')));
      const created = await request(lab.url('/users'), {
        method: 'POST',
        body: JSON.stringify({ username: `py_life_${Date.now()}`, first_name: 'Life' }),
      });
      expect(created.status).toBe(201);
      await caughtUp(lab);

      const check = (rid: string, file: string) => {
        const events = eventsFor(lab.events, rid);
        const callback = file === 'get_user_callback';
        expect(lifecycle(events), rid).toEqual(callback ? EXPECTED_CALLBACK : EXPECTED);
        for (const event of events) expect(parseTraceEvent(event), JSON.stringify(event)).toMatchObject({ ok: true });
        const handlers = new Set(events.flatMap((event) => (event.type === 'handler.step' ? [event.handler] : [])));
        expect([...handlers]).toEqual([callback ? 'get_user_callback.py' : `${file}_${files}.py`]);
        const accepted = events[0];
        expect(accepted?.type === 'subject.accepted' && accepted.mode).toBe(patch.mode);
        const blocked = events.filter((event) => event.type === 'loop.blocked');
        expect(blocked.filter((event) => event.type === 'loop.blocked' && event.reason === 'cpu')).toHaveLength(1);
        const dbBlocked = blocked.filter((event) => event.type === 'loop.blocked' && event.reason === 'db').length;
        expect(dbBlocked).toBe(patch.mode === 'blocking' && !patch.executorThreads ? 1 : 0);
      };
      batches.forEach((result, index) => {
        for (const reply of result.replies) {
          expect(reply.status).toBe(200);
          check(reply.rid, FILES[index]!);
        }
      });
      check(created.rid, 'create_user');
      // Samples from every worker, valid too.
      const samples = lab.events.filter((event) => event.type === 'sample');
      expect(new Set(samples.map((sample) => sample.worker)).size).toBe(patch.workers ?? 1);
      for (const sample of samples.slice(-20)) expect(parseTraceEvent(sample).ok).toBe(true);
    });
  });

  it('emits nothing at all with tracing off', async () => {
    await lab.supervisor.apply({ ...DEFAULT_CONFIG, runtime: 'tornado', dbLatencyMs: 0, tracing: false });
    const before = lab.events.length;
    const result = await batch(lab.url('/users/alice'), 5, 'quiet');
    expect(result.replies.every((reply) => reply.status === 200)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lab.events.length).toBe(before);
  });
});
