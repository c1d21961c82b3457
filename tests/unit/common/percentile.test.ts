import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { percentile } from '../../../common/percentile';
import { summarizeTrace } from '../../../common/runSummary';
import { latencies, latencyStats } from '../../../src/trace/stats';
import { TraceStore } from '../../../src/trace/store';
import { synthesizeRun } from '../../../src/trace/synthetic';

describe('one percentile definition (nearest rank)', () => {
  it('answers a value some request really had, never an interpolation', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];
    expect(percentile(sorted, 0.99)).toBe(1000);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.95)).toBe(1000);
  });

  it('gives the Numbers tab and the Runs list the same p50, p95 and p99 for one run', () => {
    const config = { ...DEFAULT_CONFIG, mode: 'blocking' as const, dbLatencyMs: 100 };
    const events = synthesizeRun(config, { requests: 10, concurrency: 10, runId: 'r', t0: 1000 });
    const numbersTab = latencyStats(latencies(new TraceStore().ingest('r', events).lifecycles));
    const runsList = summarizeTrace(events)!.latencyMs;
    for (const key of ['p50', 'p95', 'p99'] as const) expect(numbersTab[key]).toBeCloseTo(runsList[key], 1);
    // Interpolated, p99 of ten would sit between the two slowest; nearest rank is the slowest.
    expect(numbersTab.p99).toBe(numbersTab.max);
  });
});
