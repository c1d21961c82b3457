/**
 * The subject's sampler, in this process with a tracer that records what it is given: the
 * loop delay of a block is in the first sample after it (and only there), less at most one
 * beat, also when the block comes from a request that woke a resting sampler; the batch ships
 * every other sample; and the sampler wakes the process 80 times a second at most while a
 * request is in flight, and 21 while none is (each wake-up of a sleeping process is most of
 * tracing's cost at a modest rate).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Gauges, type Sampler, startSampler } from '../../../server/subject/runtime/sampler';
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

/** Gauges of a process serving `inFlight.count` requests. */
function gaugesWith(inFlight: { count: number }): Gauges {
  return { poolInUse: () => 0, poolWaiting: () => 0, dbInFlight: () => 0, requestsInFlight: () => inFlight.count };
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Holds the loop for `ms`, as a blocking call would; answers when the hold began and ended. */
function holdLoop(ms: number): { start: number; ended: number } {
  const start = performance.now();
  while (performance.now() - start < ms) {
    // spin
  }
  return { start, ended: performance.now() };
}

let sampler: Sampler | undefined;
afterEach(() => {
  sampler?.stop();
  sampler = undefined;
  vi.restoreAllMocks();
});

describe('the sampler', () => {
  it('reports a block in the first sample taken after it', async () => {
    const { tracer, samples } = recordingTracer();
    sampler = startSampler(tracer, gaugesWith({ count: 1 }));
    await eventually(() => samples.length >= 2);
    const { start, ended } = holdLoop(80);
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

  it('reports the block of a request that arrives while it rests, less at most one busy beat', async () => {
    const { tracer, samples } = recordingTracer();
    const inFlight = { count: 0 };
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    sampler = startSampler(tracer, gaugesWith(inFlight));
    // Resting: it has scheduled a beat longer than the busy one.
    await eventually(() => timeouts.mock.calls.some(([, ms]) => Number(ms) > 12.5));
    inFlight.count = 1;
    sampler.wake();
    const { start, ended } = holdLoop(80);
    await eventually(() => samples.some((sample) => sample.at >= ended));
    const first = samples.find((sample) => sample.at >= ended)!;
    expect(first.values.loopDelayMaxMs).toBeGreaterThanOrEqual(ended - start - 12.5);
  });

  it('ships the batch every other sample', async () => {
    const { tracer, samples, flushes } = recordingTracer();
    sampler = startSampler(tracer, gaugesWith({ count: 1 }));
    await eventually(() => samples.length >= 10);
    sampler.stop();
    expect(flushes()).toBeGreaterThanOrEqual(4);
    expect(flushes()).toBeLessThanOrEqual(6);
  });

  it('while resting, ships the first sample at once and then every fourth', async () => {
    const { tracer, samples, flushes } = recordingTracer();
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    sampler = startSampler(tracer, gaugesWith({ count: 0 }));
    // Resting from the first beat on: every later beat is 48 ms after a sample.
    await eventually(() => timeouts.mock.calls.some(([, ms]) => ms === 48));
    const [sampled, shipped] = [samples.length, flushes()];
    await eventually(() => samples.length >= sampled + 8);
    sampler.stop();
    const rested = samples.length - sampled;
    // The first rest beat shipped (counted before); since then one shipment every 4 samples.
    expect(flushes() - shipped).toBeGreaterThanOrEqual(Math.floor(rested / 4) - 1);
    expect(flushes() - shipped).toBeLessThanOrEqual(Math.ceil(rested / 4) + 1);
  });

  it('wakes the process 80 times a second while a request is in flight, 21 while none is', async () => {
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const inFlight = { count: 1 };
    const { tracer, samples } = recordingTracer();
    sampler = startSampler(tracer, gaugesWith(inFlight));
    // The sampler's own timers: one at a time, each scheduled by the last.
    const beats = () => timeouts.mock.calls.filter(([callback]) => callback.name === 'heartbeat').map(([, ms]) => ms);
    await eventually(() => beats().length >= 6);
    expect(intervals).not.toHaveBeenCalled();
    // In flight: every beat 12.5 ms after the last, 80 a second.
    expect(beats().every((ms) => ms === 12.5)).toBe(true);

    inFlight.count = 0;
    const before = beats().length;
    const sampled = samples.length;
    await eventually(() => beats().length >= before + 6);
    // Resting: after the busy beat that noticed it, one beat a sample, 48 ms apart: 21 a second.
    const resting = beats().slice(before + 1);
    expect(resting.every((ms) => ms === 48)).toBe(true);
    expect(samples.length - sampled).toBeGreaterThanOrEqual(resting.length - 1);
  });
});
