/**
 * The load generator far above what the server answers (a server that takes every request
 * and never answers): it ends about one deadline after the last arrival, and a cancel ends
 * it sooner than it took to saturate. Both compare times, so they run with the timing suite,
 * alone; the generator's other behaviour is in tests/integration/lab/loadGenerator.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../common/trace';
import { startLoad } from '../../../server/load/generator';

function collect() {
  const events: TraceEvent[] = [];
  return { events, onEvents: (batch: TraceEvent[]) => events.push(...batch) };
}

describe('the load generator, open loop far above what the server answers', () => {
  // A server that takes every request and never answers.
  let hanging: http.Server;
  let hangingUrl = '';
  let held = 0;
  let maxHeld = 0;
  beforeAll(async () => {
    hanging = http.createServer((req) => {
      req.resume();
      held += 1;
      maxHeld = Math.max(maxHeld, held);
      req.socket.once('close', () => (held -= 1));
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    hanging.closeAllConnections();
    return new Promise<void>((resolve) => hanging.close(() => resolve()));
  });

  it('keeps at most its maximum in flight, counts the rest as not sent, and ends each request at its deadline', async () => {
    const { events, onEvents } = collect();
    const plan = { ratePerSec: 5000, durationSec: 1 };
    const deadlineMs = 400;
    maxHeld = 0;
    const result = await startLoad({
      baseUrl: hangingUrl,
      runId: 'sat1',
      plan,
      onEvents,
      requestTimeoutMs: deadlineMs,
      maxInFlight: 200,
    }).result;
    expect(result.notSent).toBeGreaterThan(0);
    expect(result.sent + result.notSent!).toBe(5000);
    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(200);
    expect(result.completed).toBe(result.sent);
    expect(result.errors).toBe(result.sent);
    const done = events.filter((e) => e.type === 'client.done');
    expect(done).toHaveLength(result.sent);
    expect(done.every((e) => e.type === 'client.done' && /deadline \(400 ms\)/.test(e.error ?? ''))).toBe(true);
    const counted = events.reduce((sum, e) => sum + (e.type === 'load.counts' ? e.notSent : 0), 0);
    expect(counted).toBe(result.notSent);
    // It ends about one deadline after the last arrival, not after the backlog drains.
    const first = Math.min(...events.flatMap((e) => (e.type === 'client.sent' ? [e.t] : [])));
    const last = Math.max(...done.map((e) => e.t));
    expect((last - first) / (plan.durationSec * 1000 + deadlineMs)).toBeLessThan(1.5);
  });

  it('ends a cancelled run without waiting for its requests', async () => {
    const { events, onEvents } = collect();
    const handle = startLoad({
      baseUrl: hangingUrl,
      runId: 'sat2',
      plan: { ratePerSec: 5000, durationSec: 20 },
      onEvents,
      requestTimeoutMs: 60_000,
    });
    const began = performance.now();
    while (!events.some((e) => e.type === 'load.counts')) await new Promise((resolve) => setTimeout(resolve, 20));
    const running = performance.now() - began;
    const asked = performance.now();
    handle.cancel();
    const result = await handle.result;
    const cancelMs = performance.now() - asked;
    expect(result.cancelled).toBe(true);
    expect(result.completed).toBe(result.sent);
    expect(events.filter((e) => e.type === 'client.done' && e.error === 'cancelled')).toHaveLength(result.sent);
    // The generator was saturated (1000 held requests) before the cancel; ending took less than getting there.
    expect(cancelMs).toBeLessThan(Math.max(running, 200) * 2);
  });
});
