import { describe, expect, it } from 'vitest';
import { predict, presetConfig } from '../../../src/lessons/model';

const run = (requests: number, concurrency = requests) => ({ requests, concurrency });

describe('the model of the lab', () => {
  it('serialises a blocking driver: the tenth of ten 100 ms requests is answered after about 1,000 ms', () => {
    const p = predict(presetConfig({ mode: 'blocking', dbLatencyMs: 100 }), run(10));
    expect(p.latencyMaxMs).toBe(1000);
    expect(p.durationMs).toBe(1000);
    expect(p.loopDelayMaxMs).toBe(1000);
  });

  it('overlaps a non-blocking driver up to the pool size', () => {
    expect(predict(presetConfig({ mode: 'nonblocking', dbLatencyMs: 100, poolSize: 10 }), run(10)).durationMs).toBe(
      100,
    );
    expect(predict(presetConfig({ mode: 'nonblocking', dbLatencyMs: 100, poolSize: 2 }), run(10)).durationMs).toBe(500);
    expect(predict(presetConfig({ mode: 'nonblocking', dbLatencyMs: 100 }), run(10)).loopDelayMaxMs).toBe(0);
  });

  it('adds CPU time on the loop in either mode', () => {
    expect(predict(presetConfig({ mode: 'nonblocking', dbLatencyMs: 100, cpuMs: 50 }), run(10)).durationMs).toBe(600);
    expect(predict(presetConfig({ mode: 'blocking', dbLatencyMs: 100, cpuMs: 50 }), run(10)).durationMs).toBe(1500);
  });

  it('divides blocking work among worker processes, and caps concurrency at the executor size', () => {
    expect(predict(presetConfig({ mode: 'blocking', dbLatencyMs: 100, workers: 4 }), run(12)).durationMs).toBe(300);
    expect(predict(presetConfig({ mode: 'blocking', dbLatencyMs: 100, executorThreads: 2 }), run(12)).durationMs).toBe(
      600,
    );
    // Threads need connections too: the smaller of the two limits wins.
    expect(
      predict(presetConfig({ mode: 'blocking', dbLatencyMs: 100, executorThreads: 8, poolSize: 2 }), run(12))
        .durationMs,
    ).toBe(600);
  });

  it('follows a closed loop: five clients each wait for their answer before sending again', () => {
    const p = predict(presetConfig({ mode: 'blocking', dbLatencyMs: 50 }), run(20, 5));
    expect(p.durationMs).toBe(1000);
    expect(p.latencyP50Ms).toBe(250);
    expect(p.throughputPerSec).toBe(20);
  });

  it("agrees with Little's law: 20 in flight at 100 ms each is 200 per second", () => {
    expect(
      predict(presetConfig({ mode: 'nonblocking', dbLatencyMs: 100, poolSize: 20 }), run(200, 20)).throughputPerSec,
    ).toBe(200);
  });

  it('fills knobs a preset does not name with the defaults', () => {
    expect(presetConfig({ mode: 'blocking' })).toMatchObject({
      mode: 'blocking',
      cpuMs: 0,
      workers: 1,
      executorThreads: 0,
      poolSize: 10,
    });
  });
});
