/**
 * The long-poll client against a real HTTP server standing in for a blocking subject: it
 * answers its waiters one at a time, so the last one waits for the whole queue.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { now, type TraceEvent } from '../../../common/trace';
import { runLongPollJob } from '../../../server/load/longPollJob';

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that answers its requests in arrival order, one every `everyMs` (never, if undefined). */
async function queueServer(everyMs: number | undefined): Promise<string> {
  const waiting: http.ServerResponse[] = [];
  server = http.createServer((req, res) => {
    req.resume();
    waiting.push(res);
  });
  if (everyMs !== undefined) {
    const answerNext = () => {
      waiting.shift()?.writeHead(200, { 'content-type': 'application/json' }).end('{"users":[]}');
      if (server?.listening) setTimeout(answerNext, everyMs);
    };
    setTimeout(answerNext, everyMs);
  }
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

async function run(baseUrl: string, connections: number, stallMs: number) {
  const events: TraceEvent[] = [];
  const job = {
    baseUrl,
    runId: 'lp',
    plan: { route: 'longPoll' as const, requests: connections, concurrency: connections },
    batchMs: 10,
    requestTimeoutMs: stallMs,
  };
  const started = now();
  const running = runLongPollJob(job, { after: '0'.repeat(24), timeoutMs: 1000, connections, stallMs }, (batch) =>
    events.push(...batch),
  );
  const result = await running.result;
  const sent = events.filter((e) => e.type === 'client.sent');
  const done = events.filter((e): e is Extract<TraceEvent, { type: 'client.done' }> => e.type === 'client.done');
  return { result, started, sent, done };
}

describe('a long-poll run’s client', () => {
  // Limits over a second: undici keeps those on its own coarse timers, as it does a real run's.
  it('waits for every waiter of a queue that lasts longer than its stall limit, as long as answers keep coming', async () => {
    const stallMs = 1500;
    // Twelve waiters share one cancel signal: a listener each, which is no leak (Node warns past 10).
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const { result, sent, done } = await run(await queueServer(250), 12, stallMs).finally(() =>
      process.off('warning', onWarning),
    );
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(result).toMatchObject({ sent: 12, completed: 12, errors: 0, cancelled: false });
    expect(done.map((e) => e.status)).toEqual(Array(12).fill(200));
    // The queue outlasted the stall limit: the last answer came long after the first send.
    const firstSent = Math.min(...sent.map((e) => e.t));
    expect(Math.max(...done.map((e) => e.t)) - firstSent).toBeGreaterThan(stallMs);
  }, 60_000);

  it('gives up on a subject that answers nobody, after its stall limit, and says why', async () => {
    const stallMs = 1500;
    const { result, started, done } = await run(await queueServer(undefined), 5, stallMs);
    expect(result).toMatchObject({ sent: 5, completed: 5, errors: 5, cancelled: false });
    expect(done.map((e) => e.error)).toEqual(Array(5).fill(`no long-poll was answered for ${stallMs} ms`));
    for (const e of done) expect(e.t - started).toBeGreaterThanOrEqual(stallMs);
  }, 60_000);
});
