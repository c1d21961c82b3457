/**
 * An edit changes what the Tornado subject's real loop does: `time.sleep(0.2)` in the
 * non-blocking get_user holds the IOLoop, so ten concurrent requests queue behind each
 * other on the one thread. Compared with the original measured in the same test (a ratio
 * and a lower bound, never a time limit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabConfig } from '../../../common/config';
import type { HandlerFile } from '../../../common/handlers';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from '../../integration/lab/harness';
import { noTornado } from '../../integration/tornado/python';

const FILE = 'get_user_nonblocking.py';
const SLEEP_MS = 200;

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;

/** Wall time of ten concurrent GETs straight to the subject. */
async function tenConcurrentOnce(): Promise<number> {
  const base = lab.lab.subjectUrl();
  const start = performance.now();
  const statuses = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      fetch(`${base}/users/user${i}`).then(async (res) => (await res.text(), res.status)),
    ),
  );
  const took = performance.now() - start;
  expect(statuses.filter((status) => status !== 200 && status !== 404)).toEqual([]);
  return took;
}

/** The fastest of five rounds (the least disturbed by other work), after a warm-up round that opens the connections and the pool. */
async function tenConcurrent(): Promise<number> {
  await tenConcurrentOnce();
  let fastest = Infinity;
  for (let round = 0; round < 5; round++) fastest = Math.min(fastest, await tenConcurrentOnce());
  return fastest;
}

describe.skipIf(noTornado)('an edited Tornado handler on the real loop', () => {
  beforeAll(async () => {
    database = await startSeededDatabase();
    data = await makeDataDir();
    lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
    expect((await lab.json<LabConfig>('PUT', '/api/config', { runtime: 'tornado', mode: 'nonblocking' })).status).toBe(
      200,
    );
  }, 60_000);

  afterAll(async () => {
    await lab?.close();
    await database?.stop();
    await data?.remove();
  });

  it('time.sleep(0.2) makes ten concurrent requests take at least 5x as long as the original; DELETE restores it', async () => {
    const original = (await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === FILE)!.source;
    const before = await tenConcurrent();

    const sleeping = original.replace(
      '        self.cpu()\n',
      `        self.cpu()\n        import time\n        time.sleep(${SLEEP_MS / 1000})  # the loop can do nothing else\n`,
    );
    expect(sleeping).not.toBe(original);
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: sleeping })).status).toBe(200);
    const edited = await tenConcurrent();
    console.log(
      `Tornado, ten concurrent requests: original ${before.toFixed(0)} ms, with time.sleep(0.2) ${edited.toFixed(0)} ms`,
    );
    // Ten sleeps on one thread run one after another: at least 10 x 200 ms a round.
    expect(edited).toBeGreaterThanOrEqual(10 * SLEEP_MS);
    expect(edited / before).toBeGreaterThanOrEqual(5);

    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
    const after = await tenConcurrent();
    expect(edited / after).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
