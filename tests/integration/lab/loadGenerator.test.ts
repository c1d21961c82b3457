import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER_RID, HEADER_RUN, type TraceEvent } from '../../../common/trace';
import { createLoadGenerator, startLoad } from '../../../server/load/generator';

// A real HTTP server standing in for the subject: it answers after `delayMs` and
// records how many requests it holds at once, so the generator's concurrency shows.
let server: http.Server;
let baseUrl = '';
let inFlight = 0;
let maxInFlight = 0;
const seen: Array<{ method: string; url: string; rid: string; run: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      rid: String(req.headers[HEADER_RID]),
      run: String(req.headers[HEADER_RUN]),
    });
    req.resume();
    setTimeout(() => {
      inFlight -= 1;
      res.writeHead(req.url === '/stats' ? 500 : 200, { 'content-type': 'text/plain' }).end('ok');
    }, 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function collect() {
  const events: TraceEvent[] = [];
  return { events, onEvents: (batch: TraceEvent[]) => events.push(...batch) };
}

describe('load generator', () => {
  it('keeps exactly `concurrency` requests in flight and records each lifecycle in order', async () => {
    maxInFlight = 0;
    seen.length = 0;
    const { events, onEvents } = collect();
    const handle = startLoad({
      baseUrl,
      runId: 'closed1',
      plan: { requests: 40, concurrency: 8, route: 'getUser' },
      onEvents,
    });
    const result = await handle.result;
    expect(result).toEqual({ sent: 40, completed: 40, errors: 0, cancelled: false });
    expect(maxInFlight).toBe(8);
    expect(seen.every((s) => s.method === 'GET' && s.url === '/users/alice' && s.run === 'closed1')).toBe(true);
    const rids = new Set(events.map((e) => ('rid' in e ? e.rid : '')));
    expect(rids.size).toBe(40);
    for (const rid of rids) {
      const mine = events.filter((e) => 'rid' in e && e.rid === rid);
      expect(mine.map((e) => e.type)).toEqual(['client.sent', 'client.firstByte', 'client.done']);
      expect(mine[0]!.t).toBeLessThanOrEqual(mine[1]!.t);
      expect(mine[1]!.t).toBeLessThanOrEqual(mine[2]!.t);
    }
  });

  it('sends open-loop arrivals on schedule and records when each was due', async () => {
    const { events, onEvents } = collect();
    const started = performance.timeOrigin + performance.now();
    const result = await startLoad({
      baseUrl,
      runId: 'open1',
      plan: { ratePerSec: 50, durationSec: 1, route: 'getUser' },
      onEvents,
    }).result;
    expect(result.completed).toBe(50);
    const sent = events.filter((e) => e.type === 'client.sent');
    expect(sent).toHaveLength(50);
    const due = sent.map((e) => e.scheduledAt!);
    // Arrivals are 20 ms apart, whatever the replies do.
    expect(due[49]! - due[0]!).toBeCloseTo(49 * 20, 0);
    expect(due[0]!).toBeGreaterThanOrEqual(started - 1);
  });

  it('counts HTTP errors and names each route on the wire', async () => {
    seen.length = 0;
    const { events, onEvents } = collect();
    const stats = await startLoad({
      baseUrl,
      runId: 'err1',
      plan: { requests: 3, concurrency: 3, route: 'stats' },
      onEvents,
    }).result;
    expect(stats.errors).toBe(3);
    expect(
      events.filter((e) => e.type === 'client.done').every((e) => e.type === 'client.done' && e.status === 500),
    ).toBe(true);
    await startLoad({ baseUrl, runId: 'mk1', plan: { requests: 2, concurrency: 1, route: 'createUser' }, onEvents })
      .result;
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts.map((p) => p.url)).toEqual(['/users', '/users']);
  });

  it('records a refused connection as an error, not a crash', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { events, onEvents } = collect();
    const result = await startLoad({
      baseUrl: `http://127.0.0.1:${port}`,
      runId: 'dead1',
      plan: { requests: 2, concurrency: 2 },
      onEvents,
    }).result;
    expect(result.errors).toBe(2);
    const done = events.filter((e) => e.type === 'client.done');
    expect(done.every((e) => e.type === 'client.done' && e.status === 0 && /ECONNREFUSED/.test(e.error ?? ''))).toBe(
      true,
    );
  });

  it('stops sending when cancelled', async () => {
    const { onEvents } = collect();
    const handle = startLoad({ baseUrl, runId: 'cancel1', plan: { requests: 10_000, concurrency: 4 }, onEvents });
    setTimeout(() => handle.cancel(), 200);
    const result = await handle.result;
    expect(result.cancelled).toBe(true);
    expect(result.sent).toBeLessThan(10_000);
  });

  it('runs one job after another on one thread, and refuses a second at the same time', async () => {
    const generator = createLoadGenerator();
    try {
      const { onEvents } = collect();
      const first = generator.start({ baseUrl, runId: 'seq1', plan: { requests: 20, concurrency: 4 }, onEvents });
      await expect(
        generator.start({ baseUrl, runId: 'seq2', plan: { requests: 1, concurrency: 1 }, onEvents }).result,
      ).rejects.toThrow(/already in progress/);
      expect((await first.result).completed).toBe(20);
      expect(
        (await generator.start({ baseUrl, runId: 'seq3', plan: { requests: 5, concurrency: 5 }, onEvents }).result)
          .completed,
      ).toBe(5);
    } finally {
      await generator.close();
    }
  });
});
