/**
 * The database process killed (kill -9) under the Tornado subject: requests get clear 503s
 * that say why, and quickly — blocking pymongo does not make every queued request wait out
 * its own blockingTimeoutMs in turn (a circuit breaker fails them at once, as the Node
 * subject's facade does) — the supervisor reports the database down, and once a database
 * answers on the same port again the subject serves 200s and is ready.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import { liveChildren } from '../../../server/process/children';
import { type Database, type Lab, batch, eventually, request, startDatabase, startLab } from '../subject/harness';
import { noTornado } from './python';

const BLOCKING_TIMEOUT_MS = 1000;
const QUEUED = 10;

const VARIANTS: [string, Partial<LabConfig>][] = [
  ['blocking pymongo', { mode: 'blocking', executorThreads: 0 }],
  ['non-blocking Motor', { mode: 'nonblocking' }],
];

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
  // No Python subject, proxy or database process is left behind.
  expect(liveChildren()).toBe(0);
});

describe.skipIf(noTornado).each(VARIANTS)('the database killed under the Tornado subject, %s', (_name, patch) => {
  it('answers clear 503s without queueing a timeout per request, reports it, and recovers', async () => {
    let database: Database = await startDatabase();
    const port = database.server.port;
    cleanup.push(() => database.stop());
    const lab: Lab = await startLab(database, {
      runtime: 'tornado',
      dbLatencyMs: 0,
      blockingTimeoutMs: BLOCKING_TIMEOUT_MS,
      ...patch,
    });
    cleanup.push(() => lab.supervisor.stop());
    expect((await batch(lab.url('/users/alice'), 5)).replies.every((reply) => reply.status === 200)).toBe(true);

    process.kill(database.server.pid, 'SIGKILL');
    expect(await database.server.exited).toBe('SIGKILL');

    // Two rounds of queued requests: the first finds the database gone, the second comes after.
    for (let round = 0; round < 2; round++) {
      const result = await batch(lab.url('/users/alice'), QUEUED);
      for (const reply of result.replies) {
        expect(reply.status).toBe(503);
        expect(JSON.parse(reply.body).error).toMatch(/^database unavailable: ./);
      }
      // Waiting out the timeout one request after another would take QUEUED timeouts.
      expect(result.elapsedMs / (QUEUED * BLOCKING_TIMEOUT_MS)).toBeLessThan(0.5);
    }
    const stats = await request(lab.url('/stats'));
    expect(stats.status).toBe(503);
    await eventually(() =>
      lab.states.some((s) => s.state === 'down' && /database unreachable: ./.test(s.message ?? '')),
    );
    expect(lab.supervisor.state()).toBe('down');

    // The same port, a fresh database (seeded again, as the lab would).
    database = await startDatabase(port);
    cleanup.push(() => database.stop());
    await eventually(async () => (await request(lab.url('/users/alice'))).status === 200, 30_000, 250);
    await eventually(() => lab.supervisor.state() === 'ready');
    expect((await batch(lab.url('/users/alice'), 5)).replies.every((reply) => reply.status === 200)).toBe(true);
  }, 120_000);
});
