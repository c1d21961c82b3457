import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { TRACE_VERSION, type TraceEvent } from '../../../common/trace';
import { percentile, summarizeTrace } from '../../../common/runSummary';

const started: TraceEvent = {
  type: 'run.started',
  t: 1000,
  runId: 'r1',
  version: TRACE_VERSION,
  config: DEFAULT_CONFIG,
  plan: { requests: 4, concurrency: 2 },
};

function request(rid: string, sent: number, done: number, status = 200, scheduledAt?: number): TraceEvent[] {
  return [
    { type: 'client.sent', t: sent, rid, route: 'getUser', ...(scheduledAt === undefined ? {} : { scheduledAt }) },
    { type: 'client.firstByte', t: done - 1, rid },
    { type: 'client.done', t: done, rid, status },
  ];
}

const sample = (t: number, loopDelayMaxMs: number, elu: number): TraceEvent => ({
  type: 'sample',
  t,
  worker: 0,
  loopDelayMaxMs,
  elu,
  poolInUse: 0,
  poolWaiting: 0,
  dbInFlight: 0,
  rssBytes: 1,
  heapUsedBytes: 1,
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 0.5)).toBe(5);
    expect(percentile(sorted, 0.95)).toBe(10);
    expect(percentile(sorted, 0.1)).toBe(1);
    expect(percentile([], 0.5)).toBe(0);
    expect(percentile([7], 0.99)).toBe(7);
  });
});

describe('summarizeTrace', () => {
  it('is undefined without a run.started line', () => {
    expect(summarizeTrace(request('a', 1, 2))).toBeUndefined();
  });

  it('counts completions, errors, latency and throughput from the client events', () => {
    const events = [
      started,
      ...request('a', 1100, 1200),
      ...request('b', 1100, 1300),
      ...request('c', 1200, 1500, 503),
      ...request('d', 1300, 2100),
      { type: 'run.finished', t: 2200, runId: 'r1', status: 'done' } as TraceEvent,
    ];
    const summary = summarizeTrace(events)!;
    expect(summary.status).toBe('done');
    expect(summary.completed).toBe(4);
    expect(summary.errors).toBe(1);
    // First send at 1100, last reply at 2100.
    expect(summary.durationMs).toBe(1000);
    expect(summary.throughputPerSec).toBe(4);
    // Latencies 100, 200, 300, 800.
    expect(summary.latencyMs).toEqual({ p50: 200, p95: 800, p99: 800, max: 800 });
    expect(summary.plan).toEqual({ requests: 4, concurrency: 2 });
  });

  it('measures open-loop latency from the scheduled time, not the send time', () => {
    const summary = summarizeTrace([started, ...request('a', 1500, 1600, 200, 1100)])!;
    expect(summary.latencyMs.max).toBe(500);
  });

  it('takes loop delay and utilization from the samples during the run', () => {
    const summary = summarizeTrace([
      started,
      sample(1050, 900, 1), // before the first request: warm-up, not the run
      ...request('a', 1100, 1300),
      sample(1150, 120, 0.8),
      sample(1200, 40, 0.4),
      sample(1340, 10, 0.0), // covers the run's tail (≤ 50 ms after the last reply)
      sample(2000, 500, 1), // long after
    ])!;
    expect(summary.loop.delayMaxMs).toBe(120);
    expect(summary.loop.utilization).toBe(0.4);
    expect(summary.status).toBe('running');
  });

  it('reports errors below HTTP (status 0) and the reason a run failed', () => {
    const summary = summarizeTrace(
      [
        started,
        { type: 'client.sent', t: 1100, rid: 'x', route: 'getUser' },
        { type: 'client.done', t: 1105, rid: 'x', status: 0, error: 'ECONNREFUSED' },
        { type: 'run.finished', t: 1200, runId: 'r1', status: 'failed', message: 'subject down' },
      ],
      { id: 'other', imported: true },
    )!;
    expect(summary).toMatchObject({
      id: 'other',
      imported: true,
      errors: 1,
      completed: 1,
      status: 'failed',
      message: 'subject down',
    });
  });

  it("adds the generator's counts: arrivals not sent, and requests sent but not traced", () => {
    const open: TraceEvent = { ...started, plan: { ratePerSec: 20_000, durationSec: 10 } } as TraceEvent;
    const summary = summarizeTrace([
      open,
      ...request('r1-0', 1100, 1200, 200, 1100),
      { type: 'load.counts', t: 1250, notSent: 30, untracedCompleted: 1, untracedErrors: 1 },
      { type: 'load.counts', t: 1300, notSent: 12, untracedCompleted: 0, untracedErrors: 0 },
    ])!;
    expect(summary.notSent).toBe(42);
    expect(summary.completed).toBe(2);
    expect(summary.errors).toBe(1);
    // 200,000 arrivals planned: the trace holds one request in two.
    expect(summary.tracedOneIn).toBe(2);
    // A closed loop has no notSent figure.
    expect(summarizeTrace([started, ...request('a', 1100, 1200)])!.notSent).toBeUndefined();
  });
});
