import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { NARRATION_GAP_MS, narrationMachine } from '../../../src/machines/narrationMachine';

describe('narrationMachine', () => {
  it('speaks at most one sentence per gap, and then the newest one', () => {
    const clock = new SimulatedClock();
    const actor = createActor(narrationMachine, { clock }).start();
    actor.send({ type: 'narration.offer', text: 'one' });
    actor.send({ type: 'narration.offer', text: 'two' });
    actor.send({ type: 'narration.offer', text: 'three' });
    expect(actor.getSnapshot().context.spoken).toBe('one');
    clock.increment(NARRATION_GAP_MS);
    expect(actor.getSnapshot().context.spoken).toBe('three');
    clock.increment(NARRATION_GAP_MS);
    expect(actor.getSnapshot().value).toBe('quiet');
  });

  it('does not repeat the sentence already spoken', () => {
    const clock = new SimulatedClock();
    const actor = createActor(narrationMachine, { clock }).start();
    actor.send({ type: 'narration.offer', text: 'same' });
    clock.increment(NARRATION_GAP_MS);
    actor.send({ type: 'narration.offer', text: 'same' });
    expect(actor.getSnapshot().value).toBe('quiet');
  });
});
