import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { lastRunsByMode, sharedScale } from '../../../src/trace/compare';
import { predict } from '../../../src/trace/model';
import { batchDuration, latencies, latencyStats, measuredThroughput } from '../../../src/trace/stats';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';

const config = (patch: Partial<LabConfig>): LabConfig => ({ ...DEFAULT_CONFIG, ...patch });

describe('predict', () => {
  it('serialises blocking requests: n x (round trip + cpu)', () => {
    const p = predict(config({ mode: 'blocking', dbLatencyMs: 200, cpuMs: 0 }), { requests: 10, concurrency: 10 });
    expect(p.batchMs).toBe(10 * 201);
    expect(p.overlap).toBe(1);
  });

  it('overlaps non-blocking round trips up to the pool size, cpu stays serial', () => {
    const p = predict(config({ dbLatencyMs: 100, poolSize: 4, cpuMs: 5 }), { requests: 10, concurrency: 10 });
    expect(p.overlap).toBe(4);
    expect(p.batchMs).toBe(3 * 101 + 10 * 5);
  });

  it('divides the blocking batch by the number of workers', () => {
    const one = predict(config({ mode: 'blocking', workers: 1 }), { requests: 40, concurrency: 40 });
    const four = predict(config({ mode: 'blocking', workers: 4 }), { requests: 40, concurrency: 40 });
    expect(one.batchMs / four.batchMs).toBe(4);
  });

  it('lets executor threads overlap blocking calls', () => {
    const p = predict(config({ mode: 'blocking', executorThreads: 4, poolSize: 10 }), { requests: 8, concurrency: 8 });
    expect(p.overlap).toBe(4);
  });
});

describe('stats and compare', () => {
  const store = new TraceStore();
  const blocking = store.ingest(
    'b',
    synthesizeRun(config({ mode: 'blocking', dbLatencyMs: 200 }), {
      requests: 10,
      concurrency: 10,
      runId: 'b',
      t0: 1000,
    }),
  );
  const nonblocking = store.ingest(
    'n',
    synthesizeRun(config({ dbLatencyMs: 200 }), { requests: 10, concurrency: 10, runId: 'n', t0: 9000 }),
  );

  it('measures what the model predicts on a synthetic run', () => {
    expect(
      batchDuration(blocking.lifecycles) /
        predict(config({ mode: 'blocking', dbLatencyMs: 200 }), { requests: 10, concurrency: 10 }).batchMs,
    ).toBeCloseTo(1, 1);
    expect(batchDuration(nonblocking.lifecycles)).toBeLessThan(260);
    expect(measuredThroughput(nonblocking.lifecycles)).toBeGreaterThan(measuredThroughput(blocking.lifecycles) * 5);
  });

  it('computes latency percentiles from completed requests', () => {
    const stats = latencyStats(latencies(blocking.lifecycles));
    expect(stats.count).toBe(10);
    expect(stats.max).toBeGreaterThan(1900);
    expect(stats.p50).toBeLessThan(stats.p99);
  });

  it('picks the newest run of each mode and one scale for both', () => {
    const runs = lastRunsByMode([blocking, nonblocking]);
    expect(runs.blocking?.runId).toBe('b');
    expect(runs.nonblocking?.runId).toBe('n');
    expect(sharedScale([runs.blocking, runs.nonblocking]).durationMs).toBeGreaterThanOrEqual(
      batchDuration(blocking.lifecycles),
    );
  });
});
