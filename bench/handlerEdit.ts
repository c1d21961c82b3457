/**
 * Editing a handler, as a learner meets it (the real lab through its API): the time from
 * "Apply" (PUT /api/handlers/:file sent) to the first request answered by the new version
 * (its reply carries the version's number), median and max of several applies; and the
 * compile step alone (esbuild's transform), to show where the time goes.
 *
 * Runnable alone: `npx tsx bench/handlerEdit.ts`.
 */
import { fileURLToPath } from 'node:url';
import { now } from '../common/trace';
import { originalSource } from '../server/subject/handlers/catalog';
import { compileHandler } from '../server/subject/handlers/compile';
import { withBenchLab } from './benchLab';
import { type BenchRow, printTable } from './table';

const FILE = 'getUser.nonblocking.ts';
const APPLIES = 5;
const APPLY_GOAL_MS = 1000;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The original, answering with the version's number instead of the greeting. */
const version = (n: number): string =>
  originalSource(FILE).replace(
    'sendGreeting(req, res, user);',
    `res.writeHead(200, { 'content-type': 'application/json' });\n  res.end(JSON.stringify({ version: ${n} }));`,
  );

export async function benchHandlerEdit(): Promise<BenchRow[]> {
  return withBenchLab(async (server) => {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const address = server.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const compiles: number[] = [];
    for (let i = 0; i < APPLIES; i++) {
      const start = now();
      await compileHandler(FILE, version(i));
      compiles.push(now() - start);
    }

    const applies: number[] = [];
    let oldVersionServed = 0;
    for (let i = 1; i <= APPLIES; i++) {
      const start = now();
      const put = await fetch(`${url}/api/handlers/${FILE}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: version(i) }),
      });
      if (!put.ok) throw new Error(`PUT answered ${put.status}: ${await put.text()}`);
      const reply = (await (await fetch(`${url}/subject/users/alice`)).json()) as { version?: number };
      applies.push(now() - start);
      if (reply.version !== i) oldVersionServed += 1;
    }
    await fetch(`${url}/api/handlers/${FILE}`, { method: 'DELETE' });
    return [
      {
        name: `Apply -> first request served by the new version, median of ${APPLIES}`,
        value: median(applies),
        unit: 'ms',
        goal: `<= ${APPLY_GOAL_MS}`,
        ok: median(applies) <= APPLY_GOAL_MS,
      },
      { name: `Apply -> first new-version request, max of ${APPLIES}`, value: Math.max(...applies), unit: 'ms' },
      { name: 'of which compiling (esbuild transform), median', value: median(compiles), unit: 'ms' },
      {
        name: 'requests served by the old version after the PUT answered',
        value: oldVersionServed,
        unit: '',
        goal: '0',
        ok: oldVersionServed === 0,
      },
    ];
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable('edit', await benchHandlerEdit());
  process.exit(0);
}
