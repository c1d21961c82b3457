import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../../common/lesson';
import { idleLoopDelay, measureBaseRoundTrip, median } from '../../../src/lab/calibrate';
import { BUSY_IDLE_DELAY_MS, promiseHere, promiseRows, tooBusy, verdict } from '../../../src/lessons/calibration';
import type { Calibration } from '../../../src/machines/calibrationMachine';
import { DEFAULT_CONFIG } from '../../../common/config';

const tenNonBlocking: Experiment = {
  config: { mode: 'nonblocking', dbLatencyMs: 100, poolSize: 10 },
  run: { requests: 10, concurrency: 10 },
  lookFor: 'overlap',
};
const tenBlocking: Experiment = { ...tenNonBlocking, config: { mode: 'blocking', dbLatencyMs: 100 } };
const calibrated = (base: number, idle?: number): Calibration => ({
  baseRoundTripMs: base,
  idleLoopDelayMs: idle,
  samples: 5,
  at: 0,
});

describe('promises computed for this machine', () => {
  it('adds the measured base round trip to every round trip the model counts', () => {
    expect(promiseHere(tenNonBlocking, 'durationMs', undefined)).toBe(100);
    expect(promiseHere(tenNonBlocking, 'durationMs', calibrated(12))).toBe(112);
    // Blocking pays it ten times over: one round trip after another.
    expect(promiseHere(tenBlocking, 'durationMs', calibrated(12))).toBe(1120);
  });

  it('says a run kept its promise, missed it, or that the machine was too busy to show it', () => {
    expect(verdict('durationMs', 112, 130, calibrated(12, 3)).kind).toBe('as-promised');
    expect(verdict('durationMs', 112, 297, calibrated(12, 3))).toMatchObject({ kind: 'missed' });
    expect(verdict('durationMs', 112, 297, calibrated(12, 45))).toMatchObject({ kind: 'busy', idleLoopDelayMs: 45 });
    // Throughput is better when higher: 183 req/s against 500 is a miss.
    expect(verdict('throughputPerSec', 500, 183, calibrated(1, 2)).kind).toBe('missed');
    expect(verdict('throughputPerSec', 500, 520, calibrated(1, 2)).kind).toBe('as-promised');
  });

  it('calls an idle loop later than 20 ms too busy before anything runs', () => {
    expect(tooBusy(calibrated(5, BUSY_IDLE_DELAY_MS + 1))).toBe(true);
    expect(tooBusy(calibrated(5, 4))).toBe(false);
    expect(tooBusy(undefined)).toBe(false);
  });
});

describe('measuring the base round trip', () => {
  it('takes the median of requests sent one at a time, less what the config itself costs', async () => {
    let clock = 0;
    const latencies = [110, 104, 400, 106, 108];
    let inFlight = 0;
    let maxInFlight = 0;
    const result = await measureBaseRoundTrip({
      send: async () => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await Promise.resolve();
        clock += latencies.shift()!;
        inFlight -= 1;
        return 200;
      },
      config: () => ({ ...DEFAULT_CONFIG, dbLatencyMs: 100, cpuMs: 0 }),
      idleDelay: () => 3,
      now: () => clock,
    });
    expect(result).toMatchObject({ baseRoundTripMs: 8, idleLoopDelayMs: 3, samples: 5 });
    expect(maxInFlight).toBe(1);
  });

  it('fails on an error answer rather than calibrating from it', async () => {
    await expect(
      measureBaseRoundTrip({
        send: async () => 503,
        config: () => DEFAULT_CONFIG,
        idleDelay: () => undefined,
        now: () => 0,
      }),
    ).rejects.toThrow('503');
  });

  it('reads the idle loop delay from recent samples only', () => {
    const sample = (t: number, loopDelayMaxMs: number) =>
      ({
        type: 'sample',
        t,
        worker: 0,
        loopDelayMaxMs,
        elu: 0,
        poolInUse: 0,
        poolWaiting: 0,
        dbInFlight: 0,
        rssBytes: 1,
        heapUsedBytes: 1,
      }) as const;
    expect(idleLoopDelay([sample(1000, 90), sample(9000, 4), sample(9500, 6)], 10_000)).toBe(6);
    expect(idleLoopDelay([sample(1000, 90)], 10_000)).toBeUndefined();
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});

describe('what the table promises', () => {
  it('leaves the model out where it predicts nothing (lesson 9: no added latency, no calibration), and keeps it elsewhere', async () => {
    const { course } = await import('../../../src/lessons/load');
    const lesson9 = course.lessons.find((l) => l.id === 'indexes-and-slow-queries')!;
    const uncalibrated = promiseRows(lesson9.steps[0]!.experiment, undefined);
    expect(uncalibrated.modelSilent).toBe('no-latency');
    expect(uncalibrated.rows.length).toBeGreaterThan(0);
    // Calibrated, the model has something to say: fifty requests one at a time, each a base round trip.
    const here = promiseRows(lesson9.steps[0]!.experiment, calibrated(3));
    expect(here.modelSilent).toBe(false);
    expect(here.rows[0]!.promised).toBeGreaterThanOrEqual(50 * 3);
    const lesson3 = course.lessons.find((l) => l.id === 'the-non-blocking-driver')!;
    const promised = promiseRows(lesson3.steps[0]!.experiment, calibrated(3));
    expect(promised.modelSilent).toBe(false);
    expect(promised.rows.every((row) => row.promised > 0)).toBe(true);
  });

  it("leaves the model out of a long poll's steps (lesson 12), which it does not model, calibrated or not", async () => {
    const { course } = await import('../../../src/lessons/load');
    const lesson12 = course.lessons.find((l) => l.id === 'ten-thousand-waiting-clients')!;
    for (const step of lesson12.steps) {
      for (const calibration of [undefined, calibrated(3)]) {
        const { rows, modelSilent } = promiseRows(step.experiment, calibration);
        expect(modelSilent).toBe('long-poll');
        // The table still lists the numbers, measured only.
        expect(rows.length).toBeGreaterThan(0);
      }
    }
  });
});
