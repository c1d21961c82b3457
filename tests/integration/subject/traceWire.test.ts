/**
 * The wire between a subject process and the lab changes nothing the lab sees: a real run
 * (real subject processes, the embedded database, the real mongodb driver) leaves the very
 * events, field by field and key by key, that the subject's previous wire (a flat array of
 * values per batch) delivered. EXPECTED was recorded with that wire; only what changes from
 * run to run is left out (times, durations, which worker served).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { type TraceEvent, parseTraceEvent } from '../../../common/trace';
import { type Database, type Lab, caughtUp, eventsFor, request, startDatabase, startLab } from './harness';

let database: Database;
let lab: Lab;

beforeAll(async () => {
  database = await startDatabase();
  lab = await startLab(database, { dbLatencyMs: 0 });
});
afterAll(async () => {
  await lab?.supervisor.stop();
  await database?.stop();
});

/**
 * An event in words, its keys in their order: `type key=value ...`, with the values that vary
 * from run to run (times, durations, which worker) named by their key alone when they are numbers.
 */
function normal(event: TraceEvent, rid: string): string {
  return Object.entries(event)
    .map(([key, value]) => {
      if (key === 'type') return String(value);
      if ((key === 't' || key === 'durationMs' || key === 'worker') && typeof value === 'number') return key;
      if (key === 'rid' && value === rid) return 'rid=<rid>';
      return `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`;
    })
    .join(' ');
}

const REQUESTS: { path: string; method?: string; body?: string }[] = [
  { path: '/users/alice' },
  { path: '/users/nobody-by-that-name' },
  { path: '/callback/users/alice' },
  { path: '/users?city=Oslo&limit=3' },
  { path: '/stats' },
  { path: '/users', method: 'POST', body: JSON.stringify({ username: 'wire_user', first_name: 'Wire' }) },
];

/** The events each request left, normalized, in the order of REQUESTS. */
async function traceOf(patch: Partial<LabConfig>): Promise<string[][]> {
  await lab.supervisor.apply({ ...DEFAULT_CONFIG, dbLatencyMs: 0, cpuMs: 1, ...patch });
  await database.db.collection('users').deleteMany({ username: 'wire_user' });
  const rids: string[] = [];
  for (const { path, method, body } of REQUESTS) {
    const reply = await request(lab.url(path), { method, body });
    rids.push(reply.rid);
  }
  await caughtUp(lab);
  return rids.map((rid) => eventsFor(lab.events, rid).map((event) => normal(event, rid)));
}

const SAMPLE_KEYS = [
  'type',
  't',
  'worker',
  'loopDelayMaxMs',
  'elu',
  'poolInUse',
  'poolWaiting',
  'dbInFlight',
  'longPollsWaiting',
  'rssBytes',
  'heapUsedBytes',
];

describe.each<[string, Partial<LabConfig>]>([
  ['non-blocking', { mode: 'nonblocking' }],
  ['blocking', { mode: 'blocking' }],
  ['non-blocking with 2 workers (node:cluster relays the batches)', { mode: 'nonblocking', workers: 2 }],
])('a real run’s trace, %s', (name, patch) => {
  it('is the same events as the previous wire delivered', async () => {
    const trace = await traceOf(patch);
    expect(trace).toEqual(EXPECTED[patch.mode === 'blocking' ? 'blocking' : 'nonblocking']);
    for (const event of lab.events) expect(parseTraceEvent(event)).toEqual({ ok: true, event });
    const sample = lab.events.findLast((event) => event.type === 'sample');
    expect(Object.keys(sample!), name).toEqual(SAMPLE_KEYS);
  });
});

const EXPECTED: Record<'blocking' | 'nonblocking', string[][]> = {
  blocking: [
    [
      'subject.accepted t worker rid=<rid> route=getUser mode=blocking',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=parse',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=query',
      'db.call t worker rid=<rid> op=findOne collection=users',
      'loop.blocked t worker rid=<rid> durationMs reason=db',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=getUser mode=blocking',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=parse',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=query',
      'db.call t worker rid=<rid> op=findOne collection=users',
      'loop.blocked t worker rid=<rid> durationMs reason=db',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=getUser.blocking step=respond',
      'subject.responded t worker rid=<rid> status=404',
    ],
    [
      'subject.accepted t worker rid=<rid> route=getUserCallback mode=blocking',
      'handler.step t worker rid=<rid> handler=getUser.callback step=parse',
      'handler.step t worker rid=<rid> handler=getUser.callback step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=getUser.callback step=query',
      'db.call t worker rid=<rid> op=findOne collection=users',
      'loop.blocked t worker rid=<rid> durationMs reason=db',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=getUser.callback step=callback',
      'handler.step t worker rid=<rid> handler=getUser.callback step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=listByCity mode=blocking',
      'handler.step t worker rid=<rid> handler=listByCity.blocking step=parse',
      'handler.step t worker rid=<rid> handler=listByCity.blocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=listByCity.blocking step=query',
      'db.call t worker rid=<rid> op=find collection=users',
      'loop.blocked t worker rid=<rid> durationMs reason=db',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=listByCity.blocking step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=stats mode=blocking',
      'handler.step t worker rid=<rid> handler=stats.blocking step=parse',
      'handler.step t worker rid=<rid> handler=stats.blocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=stats.blocking step=query',
      'db.call t worker rid=<rid> op=aggregate collection=users',
      'loop.blocked t worker rid=<rid> durationMs reason=db',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=stats.blocking step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=createUser mode=blocking',
      'handler.step t worker rid=<rid> handler=createUser.blocking step=parse',
      'handler.step t worker rid=<rid> handler=createUser.blocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=createUser.blocking step=query',
      'db.call t worker rid=<rid> op=insertOne collection=users',
      'loop.blocked t worker rid=<rid> durationMs reason=db',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=createUser.blocking step=respond',
      'subject.responded t worker rid=<rid> status=201',
    ],
  ],
  nonblocking: [
    [
      'subject.accepted t worker rid=<rid> route=getUser mode=nonblocking',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=parse',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=query',
      'db.call t worker rid=<rid> op=findOne collection=users',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=getUser mode=nonblocking',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=parse',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=query',
      'db.call t worker rid=<rid> op=findOne collection=users',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=getUser.nonblocking step=respond',
      'subject.responded t worker rid=<rid> status=404',
    ],
    [
      'subject.accepted t worker rid=<rid> route=getUserCallback mode=nonblocking',
      'handler.step t worker rid=<rid> handler=getUser.callback step=parse',
      'handler.step t worker rid=<rid> handler=getUser.callback step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=getUser.callback step=query',
      'db.call t worker rid=<rid> op=findOne collection=users',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=getUser.callback step=callback',
      'handler.step t worker rid=<rid> handler=getUser.callback step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=listByCity mode=nonblocking',
      'handler.step t worker rid=<rid> handler=listByCity.nonblocking step=parse',
      'handler.step t worker rid=<rid> handler=listByCity.nonblocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=listByCity.nonblocking step=query',
      'db.call t worker rid=<rid> op=find collection=users',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=listByCity.nonblocking step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=stats mode=nonblocking',
      'handler.step t worker rid=<rid> handler=stats.nonblocking step=parse',
      'handler.step t worker rid=<rid> handler=stats.nonblocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=stats.nonblocking step=query',
      'db.call t worker rid=<rid> op=aggregate collection=users',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=stats.nonblocking step=respond',
      'subject.responded t worker rid=<rid> status=200',
    ],
    [
      'subject.accepted t worker rid=<rid> route=createUser mode=nonblocking',
      'handler.step t worker rid=<rid> handler=createUser.nonblocking step=parse',
      'handler.step t worker rid=<rid> handler=createUser.nonblocking step=cpu',
      'loop.blocked t worker rid=<rid> durationMs reason=cpu',
      'handler.step t worker rid=<rid> handler=createUser.nonblocking step=query',
      'db.call t worker rid=<rid> op=insertOne collection=users',
      'db.sent t worker rid=<rid>',
      'db.reply t worker rid=<rid> ok=true',
      'handler.step t worker rid=<rid> handler=createUser.nonblocking step=respond',
      'subject.responded t worker rid=<rid> status=201',
    ],
  ],
};
