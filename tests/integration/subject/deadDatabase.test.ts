/**
 * A database that dies mid-run: the subject answers 503 saying the database is unavailable
 * instead of hanging, the supervisor reports it, and after a restart on the same port
 * requests succeed again. How soon the 503 comes (within the subject's own limits, not the
 * driver's 30 s) is a timing claim: tests/timing/subject/deadDatabase.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import { liveChildren } from '../../../server/process/children';
import { type Database, type Lab, batch, eventually, request, startDatabase, startLab } from './harness';

const VARIANTS: [string, Partial<LabConfig>][] = [
  ['non-blocking', { mode: 'nonblocking' }],
  ['blocking', { mode: 'blocking', blockingTimeoutMs: 1000 }],
];

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
  expect(liveChildren()).toBe(0);
});

describe.each(VARIANTS)('the database killed mid-run, %s', (_name, patch) => {
  it('answers 503, reports it, and recovers after a restart', async () => {
    let database: Database = await startDatabase();
    const port = database.server.port;
    const lab: Lab = await startLab(database, { dbLatencyMs: 20, ...patch });
    cleanup.push(() => lab.supervisor.stop());

    expect((await batch(lab.url('/users/alice'), 5)).replies.every((reply) => reply.status === 200)).toBe(true);

    await database.stop();
    // Requests in flight when it dies, and requests after: none hangs, none is a 500.
    for (let round = 0; round < 2; round++) {
      const result = await batch(lab.url('/users/alice'), 5);
      for (const reply of result.replies) {
        expect(reply.status).toBe(503);
        expect(JSON.parse(reply.body)).toMatchObject({ error: expect.stringMatching(/^database unavailable: /) });
      }
    }
    expect(JSON.parse((await request(lab.url('/stats'))).body).error).toMatch(/database unavailable/);
    await eventually(() => lab.states.some((s) => s.state === 'down' && /database/.test(s.message ?? '')));
    expect(lab.supervisor.state()).toBe('down');

    // The same port, a fresh (empty) database: seed it again, as the lab would.
    database = await startDatabase(port);
    cleanup.push(() => database.stop());
    await eventually(async () => (await request(lab.url('/users/alice'))).status === 200, 15_000, 250);
    await eventually(() => lab.supervisor.state() === 'ready');
  });
});
