/**
 * A database that dies mid-run is answered 503 within the subject's own limits: the
 * driver's server selection bounded in clientOptions (non-blocking), the facade's
 * blockingTimeoutMs (blocking). Without them, the driver would wait its default 30 s.
 * That the answer is a 503 at all, and the recovery, are in tests/integration/subject/deadDatabase.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import { clientOptions } from '../../../server/subject/data/clientOptions';
import { type Lab, batch, startDatabase, startLab } from '../../integration/subject/harness';

const DB_LATENCY_MS = 20;
const BLOCKING_TIMEOUT_MS = 1000;
const SERVER_SELECTION_MS = clientOptions({
  poolSize: 1,
  dbLatencyMs: DB_LATENCY_MS,
  monitorCommands: false,
}).serverSelectionTimeoutMS!;

const VARIANTS: [string, Partial<LabConfig>, number][] = [
  ['non-blocking', { mode: 'nonblocking' }, SERVER_SELECTION_MS],
  ['blocking', { mode: 'blocking', blockingTimeoutMs: BLOCKING_TIMEOUT_MS }, BLOCKING_TIMEOUT_MS],
];

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

describe.each(VARIANTS)('the database killed mid-run, %s', (_name, patch, limitMs) => {
  it('answers every request 503 within the subject’s own limit, not the driver’s 30 s', async () => {
    const database = await startDatabase();
    cleanup.push(() => database.stop());
    const lab: Lab = await startLab(database, { dbLatencyMs: DB_LATENCY_MS, ...patch });
    cleanup.push(() => lab.supervisor.stop());
    expect((await batch(lab.url('/users/alice'), 5)).replies.every((reply) => reply.status === 200)).toBe(true);

    await database.stop();
    for (let round = 0; round < 2; round++) {
      const result = await batch(lab.url('/users/alice'), 5);
      for (const reply of result.replies) {
        expect(reply.status).toBe(503);
        // The limit once more for a busy machine; a wait for the driver's default would be 30 s.
        expect(reply.doneAt - reply.sentAt).toBeLessThan(2 * limitMs);
      }
    }
  });
});
