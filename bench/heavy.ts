/**
 * Heavy use of a real lab (in this process, through its HTTP API):
 * - a 49 MB trace import while GET /api/config is polled: the longest wait for an answer,
 *   the import's time, and the process's RSS growth;
 * - an open-loop run of 20,000 requests/s for 20 s at the default 100 ms database latency
 *   (far above the subject's capacity): how long it took, how many were not sent, RSS growth;
 * - cancelling such a run once it is saturated: POST /cancel to answered.
 *
 * Runnable alone: `npm run bench -- heavy`.
 */
import { openAsBlob } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../common/api';
import { bigTrace } from '../tests/integration/lab/bigTrace';
import { withBenchLab } from './benchLab';
import type { BenchRow } from './table';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MB = 1024 * 1024;

/** Samples the process's RSS every 50 ms until stopped; returns the peak. */
function watchRss(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

export async function benchHeavy(): Promise<BenchRow[]> {
  const file = path.join(tmpdir(), `heavy-import-${process.pid}.jsonl`);
  const { text } = bigTrace(49);
  await writeFile(file, text);
  const fileMb = Buffer.byteLength(text) / MB;
  try {
    return await withBenchLab(async (server) => {
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      const address = server.app.server.address();
      const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      const json = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
        const res = await fetch(`${url}${route}`, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        });
        return (await res.json()) as T;
      };
      const rows: BenchRow[] = [];

      // --- import
      const rssBefore = process.memoryUsage().rss;
      const peakRss = watchRss();
      let done = false;
      let slowest = 0;
      let answers = 0;
      // The lab runs in this process: while its loop is blocked, no request is even sent, so
      // what a user would see is the longest gap between two answers (less the 10 ms pause).
      const began = performance.now();
      let lastAnswer = began;
      const polling = (async () => {
        while (!done) {
          await (await fetch(`${url}/api/config`)).text();
          const t = performance.now();
          slowest = Math.max(slowest, t - lastAnswer - 10);
          lastAnswer = t;
          answers += 1;
          await sleep(10);
        }
      })();
      const res = await fetch(`${url}/api/runs/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: await openAsBlob(file),
      });
      await res.text();
      const importMs = performance.now() - began;
      done = true;
      await polling;
      const importGrowth = (peakRss() - rssBefore) / MB;
      if (res.status !== 201) throw new Error(`the import answered ${res.status}`);
      rows.push(
        { name: `import ${fileMb.toFixed(0)} MB: time`, value: importMs, unit: 'ms' },
        {
          name: 'import: longest /api/config silence',
          value: slowest,
          unit: 'ms',
          goal: '< 100 ms',
          ok: slowest < 100,
        },
        { name: 'import: /api/config answers meanwhile', value: answers, unit: '' },
        { name: 'import: RSS growth', value: importGrowth, unit: 'MB', goal: '< 150 MB', ok: importGrowth < 150 },
      );

      // --- open loop far above capacity, at the default database latency
      await json('PUT', '/api/config', { dbLatencyMs: 100 });
      const rssRun = process.memoryUsage().rss;
      const peakRunRss = watchRss();
      const plan = { ratePerSec: 20_000, durationSec: 20 };
      const started = performance.now();
      const { id } = await json<{ id: string }>('POST', '/api/runs', plan);
      let run: RunSummary;
      for (;;) {
        run = await json<RunSummary>('GET', `/api/runs/${id}`);
        if (run.status !== 'running') break;
        await sleep(100);
      }
      const runMs = performance.now() - started;
      const runGrowth = (peakRunRss() - rssRun) / MB;
      rows.push(
        {
          name: 'open loop 20k/s x 20 s: wall time',
          value: runMs,
          unit: 'ms',
          goal: '< 20 s + 35 s deadline',
          ok: runMs < 55_000,
        },
        { name: 'open loop: completed', value: run.completed, unit: '' },
        { name: 'open loop: not sent (generator saturated)', value: run.notSent ?? 0, unit: '' },
        { name: 'open loop: trace keeps one request in', value: run.tracedOneIn ?? 1, unit: '' },
        { name: 'open loop: RSS growth', value: runGrowth, unit: 'MB', goal: '< 300 MB', ok: runGrowth < 300 },
      );

      // --- cancel a saturated run
      const second = await json<{ id: string }>('POST', '/api/runs', { ratePerSec: 20_000, durationSec: 120 });
      for (;;) {
        const live = await json<RunSummary>('GET', `/api/runs/${second.id}`);
        if ((live.notSent ?? 0) > 0 && live.completed > 100) break;
        await sleep(100);
      }
      const asked = performance.now();
      const cancelled = await json<RunSummary>('POST', `/api/runs/${second.id}/cancel`);
      const cancelMs = performance.now() - asked;
      rows.push({
        name: `cancel a saturated open loop (${cancelled.status})`,
        value: cancelMs,
        unit: 'ms',
        goal: '< 1000 ms',
        ok: cancelMs < 1000,
      });
      await json('PUT', '/api/config', { dbLatencyMs: 0 });
      return rows;
    });
  } finally {
    await rm(file, { force: true });
  }
}
