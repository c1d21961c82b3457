/**
 * The subject's sampler, in this process with a tracer that records what it is given: the
 * loop delay of a block is in the first sample after it (and only there), less at most one
 * beat, also when the block comes from a request that woke a resting sampler; the batch ships
 * every other sample; and the sampler wakes the process 80 times a second at most while a
 * request is in flight, and while none is, once 48 ms after the last sample, then 96, 192 and
 * 240 ms apart, about 4 times a second (each wake-up of a sleeping process is most of
 * tracing's cost at a modest rate).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Gauges, type Sampler, restMs, startSampler } from '../../../server/subject/runtime/sampler';
import type { SampleInput, Tracer } from '../../../server/subject/runtime/tracer';

function recordingTracer() {
  const samples: { at: number; values: SampleInput }[] = [];
  let flushes = 0;
  const tracer: Tracer = {
    enabled: true,
    setEnabled: () => undefined,
    request: () => {
      throw new Error('no requests here');
    },
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

  it('while resting, ships the first sample at once, then one at least 192 ms after the last', async () => {
    const { tracer, samples } = recordingTracer();
    const at: number[] = [];
    tracer.flush = () => void at.push(performance.now());
    sampler = startSampler(tracer, gaugesWith({ count: 0 }));
    // Resting from the first beat on: the first rest beat ships.
    await eventually(() => at.length >= 1);
    const firstRest = at.length;
    await eventually(() => at.length >= firstRest + 4, 20_000);
    sampler.stop();
    // After the first, shipments are at least 192 ms apart (less half a beat), whatever the
    // beats' pace; and the first rest beats (48, then 96 ms apart) do not each ship.
    const gaps = at
      .slice(firstRest - 1)
      .map((t, i, all) => (i ? t - all[i - 1]! : Infinity))
      .slice(1);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(192 - 6.25);
    expect(samples.length).toBeGreaterThan(at.length);
  });

  it('wakes the process 80 times a second while a request is in flight, about 4 while none is', async () => {
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
    await eventually(() => beats().length >= before + 7, 20_000);
    // Resting: after the busy beat that noticed it, one beat a sample, each due 48, 96, 192,
    // then 240 ms after the last sample (the ms are whole, less the time the sample took).
    const firstRest = beats().findIndex((ms, i) => i >= before && ms !== 12.5);
    const resting = beats().slice(firstRest, firstRest + 5);
    const due = [0, 1, 2, 3, 4].map(restMs);
    expect(due).toEqual([48, 96, 192, 240, 240]);
    due.forEach((ms, i) => {
      expect(resting[i]).toBeLessThanOrEqual(ms);
      expect(resting[i]).toBeGreaterThanOrEqual(ms - 2);
    });
    expect(samples.length - sampled).toBeGreaterThanOrEqual(resting.length - 1);
    // A request wakes it: busy beats again, 12.5 ms apart.
    inFlight.count = 1;
    sampler.wake();
    const woken = beats().length;
    await eventually(() => beats().length >= woken + 3);
    expect(
      beats()
        .slice(woken + 1)
        .every((ms) => ms === 12.5),
    ).toBe(true);
  });
});
