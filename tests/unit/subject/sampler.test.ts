/**
 * The subject's sampler, in this process with a tracer that records what it is given: the
 * loop delay of a block is in the first sample after it (and only there), less at most one
 * beat; the batch ships every other sample; and the sampler wakes the process 80 times a
 * second at most (each wake-up of a sleeping process is most of tracing's cost at a modest rate).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSampler } from '../../../server/subject/runtime/sampler';
import type { SampleInput, Tracer } from '../../../server/subject/runtime/tracer';

function recordingTracer() {
  const samples: { at: number; values: SampleInput }[] = [];
  let flushes = 0;
  const tracer: Tracer = {
    enabled: true,
    setEnabled: () => undefined,
    request: (rid) => ({ rid, emit: () => undefined }),
    sample: (values) => samples.push({ at: performance.now(), values }),
    flush: () => (flushes += 1),
    close: () => undefined,
  };
  return { tracer, samples, flushes: () => flushes };
}

const gauges = { poolInUse: () => 0, poolWaiting: () => 0, dbInFlight: () => 0 };

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('the sampler', () => {
  it('reports a block in the first sample taken after it', async () => {
    const { tracer, samples } = recordingTracer();
    stop = startSampler(tracer, gauges);
    await eventually(() => samples.length >= 2);
    const start = performance.now();
    while (performance.now() - start < 80) {
      // hold the loop, as a blocking call would
    }
    const ended = performance.now();
    await eventually(() => samples.some((sample) => sample.at >= ended));
    const first = samples.find((sample) => sample.at >= ended)!;
    // The beat that came due during the block fired when it ended: late by the block's length
    // less the time from the block's start to that beat's due time, one beat (12.5 ms) at most.
    expect(first.values.loopDelayMaxMs).toBeGreaterThanOrEqual(ended - start - 12.5);
    // And only there: the next sample starts afresh.
    await eventually(() => samples.filter((sample) => sample.at >= ended).length >= 2);
    const next = samples.filter((sample) => sample.at >= ended)[1]!;
    expect(next.values.loopDelayMaxMs).toBeLessThan(first.values.loopDelayMaxMs);
  });

  it('ships the batch every other sample', async () => {
    const { tracer, samples, flushes } = recordingTracer();
    stop = startSampler(tracer, gauges);
    await eventually(() => samples.length >= 10);
    stop();
    expect(flushes()).toBeGreaterThanOrEqual(4);
    expect(flushes()).toBeLessThanOrEqual(6);
  });

  it('wakes the process at most 80 times a second', () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    try {
      stop = startSampler(recordingTracer().tracer, gauges);
      // Every timer it starts, as wake-ups a second: one 12.5 ms heartbeat samples and ships too.
      const wakeUps = intervals.mock.calls.reduce((sum, [, ms]) => sum + 1000 / Number(ms), 0);
      expect(intervals).toHaveBeenCalledTimes(1);
      expect(timeouts).not.toHaveBeenCalled();
      expect(wakeUps).toBeLessThanOrEqual(80);
    } finally {
      intervals.mockRestore();
      timeouts.mockRestore();
    }
  });
});
