import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { calibrationMachine, MEASURE_TIMEOUT_MS, type Calibration } from '../../../src/machines/calibrationMachine';

const result: Calibration = { baseRoundTripMs: 7, idleLoopDelayMs: 2, samples: 5, at: 1 };

describe('calibrationMachine', () => {
  it('measures when asked and keeps the result while measuring again', async () => {
    let calls = 0;
    const actor = createActor(
      calibrationMachine.provide({ actors: { measure: fromPromise(async () => ((calls += 1), result)) } }),
    ).start();
    expect(actor.getSnapshot().value).toBe('idle');
    actor.send({ type: 'calibration.measure' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(actor.getSnapshot().value).toBe('ready');
    expect(actor.getSnapshot().context.calibration).toEqual(result);
    actor.send({ type: 'calibration.measure' });
    expect(actor.getSnapshot().value).toBe('measuring');
    expect(actor.getSnapshot().context.calibration).toEqual(result);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toBe(2);
  });

  it('gives up on a measurement that never answers (simulated time)', () => {
    const clock = new SimulatedClock();
    const never = fromPromise<Calibration>(() => new Promise(() => {}));
    const actor = createActor(calibrationMachine.provide({ actors: { measure: never } }), { clock }).start();
    actor.send({ type: 'calibration.measure' });
    clock.increment(MEASURE_TIMEOUT_MS - 1);
    expect(actor.getSnapshot().value).toBe('measuring');
    clock.increment(1);
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.error).toContain('no answer');
  });

  it('reports a failed measurement and can try again', async () => {
    const actor = createActor(
      calibrationMachine.provide({ actors: { measure: fromPromise(() => Promise.reject(new Error('subject down'))) } }),
    ).start();
    actor.send({ type: 'calibration.measure' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(actor.getSnapshot()).toMatchObject({ value: 'failed', context: { error: 'subject down' } });
    actor.send({ type: 'calibration.measure' });
    expect(actor.getSnapshot().value).toBe('measuring');
  });
});
