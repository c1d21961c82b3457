/**
 * An edit changes what the real loop does: a 200 ms synchronous busy-wait in the
 * non-blocking getUser makes ten concurrent requests queue behind each other on the one
 * thread. Compared with the original measured in the same test (a ratio, never a time limit).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerFile } from '../../common/handlers';
import type { StartedDatabase } from '../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from '../integration/lab/harness';

const FILE = 'getUser.nonblocking.ts';
const BUSY_MS = 200;

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

/** Wall time of ten concurrent GETs straight to the subject. */
async function tenConcurrentOnce(): Promise<number> {
  const base = lab.lab.subjectUrl();
  const start = performance.now();
  const replies = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      fetch(`${base}/users/user${i}`).then(async (res) => ({ status: res.status, body: await res.text() })),
    ),
  );
  const took = performance.now() - start;
  // A failure says why: the status and the subject's own message.
  expect(replies.filter(({ status }) => status !== 200 && status !== 404)).toEqual([]);
  return took;
}

/** The fastest of five rounds (the least disturbed by other work), after a warm-up round that opens the connections and the pool. */
async function tenConcurrent(): Promise<number> {
  await tenConcurrentOnce();
  let fastest = Infinity;
  for (let round = 0; round < 5; round++) fastest = Math.min(fastest, await tenConcurrentOnce());
  return fastest;
}

describe('an edited handler on the real loop', () => {
  it('a 200 ms busy-wait makes ten concurrent requests take at least 9x as long as the original; DELETE restores it', async () => {
    const original = (await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === FILE)!.source;
    const before = await tenConcurrent();

    const busy = original.replace(
      "step('cpu');",
      `step('cpu');\n  const until = Date.now() + ${BUSY_MS};\n  while (Date.now() < until) {\n    // the loop can do nothing else\n  }`,
    );
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: busy })).status).toBe(200);
    const edited = await tenConcurrent();
    console.log(
      `ten concurrent requests: original ${before.toFixed(0)} ms, with the busy-wait ${edited.toFixed(0)} ms`,
    );
    // Ten busy-waits on one thread run one after another: at least 10 x 200 ms a round.
    expect(edited).toBeGreaterThanOrEqual(10 * BUSY_MS);
    expect(edited / before).toBeGreaterThanOrEqual(9);

    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
    const after = await tenConcurrent();
    expect(edited / after).toBeGreaterThanOrEqual(9);
  }, 120_000);
});
