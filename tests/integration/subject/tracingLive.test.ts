/**
 * Tracing turned off and on in a running subject (bench/tracing.ts compares both sides in one
 * warm process this way): off, a request leaves no event and the sampler stops; on again,
 * a request is traced whole, db.sent included; each switch answers with the requests
 * received and the CPU used so far.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../common/config';
import { now } from '../../../common/trace';
import { noTornado } from '../tornado/python';
import { type Database, type Lab, caughtUp, eventsFor, request, startDatabase, startLab } from './harness';

const RUNTIMES: [Runtime, boolean][] = [
  ['node', false],
  ['tornado', noTornado],
];

describe.each(RUNTIMES)('tracing switched at run time, %s subject', (runtime, skip) => {
  let database: Database;
  let lab: Lab;
  beforeAll(async () => {
    if (skip) return;
    database = await startDatabase();
    lab = await startLab(database, { runtime, tracing: true, workers: 1, mode: 'nonblocking' });
  });
  afterAll(async () => {
    await lab?.supervisor.stop();
    await database?.stop();
  });

  it.skipIf(skip)('stops every event while off and traces whole requests again once on', async () => {
    const before = await request(lab.url('/users/alice'), { rid: 'live-before' });
    expect(before.status).toBe(200);
    await caughtUp(lab);
    const types = (rid: string) => eventsFor(lab.events, rid).map((event) => event.type);
    expect(types('live-before')).toContain('db.sent');

    const off = await lab.supervisor.setTracingLive(false);
    const offAt = now();
    for (const rid of ['live-off-1', 'live-off-2', 'live-off-3'])
      expect((await request(lab.url('/users/alice'), { rid })).status).toBe(200);
    // Long enough for several samples (every 25 ms) had the sampler kept running.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const onAt = now();
    const on = await lab.supervisor.setTracingLive(true);
    expect(on.requests - off.requests).toBe(3);
    expect(on.cpuMicros).toBeGreaterThan(off.cpuMicros);

    expect((await request(lab.url('/users/alice'), { rid: 'live-after' })).status).toBe(200);
    await caughtUp(lab);
    for (const rid of ['live-off-1', 'live-off-2', 'live-off-3']) expect(types(rid)).toEqual([]);
    expect(lab.events.filter((event) => event.type === 'sample' && event.t > offAt && event.t < onAt)).toEqual([]);
    expect(types('live-after')).toEqual(types('live-before'));
    expect(types('live-after')).toContain('db.sent');
  });
});
