/**
 * The subject's sampler, in this process with a tracer that records what it is given: the
 * loop delay of a block is in the first sample after it (and only there), and the batch ships
 * every other sample.
 */
import { afterEach, describe, expect, it } from 'vitest';
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
    expect(first.values.loopDelayMaxMs).toBeGreaterThanOrEqual(60);
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
});
