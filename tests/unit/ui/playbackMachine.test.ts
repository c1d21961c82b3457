import { describe, expect, it } from 'vitest';
import { createActor, fromCallback } from 'xstate';
import { clampSpeed, playbackMachine } from '../../../src/machines/playbackMachine';

/** A run whose events sit at t = 100, 150, 300, 1100. */
const events = new Map([['run', [100, 150, 300, 1100].map((t) => ({ t }))]]);

function start(live = false) {
  let ticks = 0;
  const machine = playbackMachine.provide({
    // No real frames in a unit test: the test sends ticks itself.
    actors: { frameTicker: fromCallback(() => void (ticks += 1)) },
  });
  const actor = createActor(machine, { input: { source: { events: (id) => events.get(id) ?? [] } } }).start();
  actor.send({ type: 'playback.load', runId: 'run', live });
  return { actor, tickers: () => ticks };
}

describe('playbackMachine', () => {
  it('replays a stored run from its start at the chosen speed and pauses at the end', () => {
    const { actor } = start();
    expect(actor.getSnapshot().value).toBe('playing');
    expect(actor.getSnapshot().context.t).toBe(100);
    actor.send({ type: 'playback.speed', speed: 0.5 });
    actor.send({ type: 'tick', dt: 100 });
    expect(actor.getSnapshot().context.t).toBe(150);
    actor.send({ type: 'playback.speed', speed: 2 });
    actor.send({ type: 'tick', dt: 1000 });
    expect(actor.getSnapshot().context.t).toBe(1100);
    actor.send({ type: 'tick', dt: 16 });
    expect(actor.getSnapshot().value).toBe('paused');
  });

  it('steps forward and back one event at a time, pausing', () => {
    const { actor } = start();
    actor.send({ type: 'playback.step', direction: 1 });
    expect(actor.getSnapshot().value).toBe('paused');
    expect(actor.getSnapshot().context.t).toBe(150);
    actor.send({ type: 'playback.step', direction: 1 });
    expect(actor.getSnapshot().context.t).toBe(300);
    actor.send({ type: 'playback.step', direction: -1 });
    expect(actor.getSnapshot().context.t).toBe(150);
  });

  it('follows the newest event when live, and a live run that grows', () => {
    const { actor } = start(true);
    expect(actor.getSnapshot().value).toBe('live');
    expect(actor.getSnapshot().context.t).toBe(1100);
    events.get('run')!.push({ t: 1200 });
    actor.send({ type: 'tick', dt: 16 });
    expect(actor.getSnapshot().context.t).toBe(1200);
    events.get('run')!.pop();
  });

  it('scrubs within the run and clamps speed to 0.1x to 2x', () => {
    const { actor } = start();
    actor.send({ type: 'playback.seek', t: 5000 });
    expect(actor.getSnapshot().context.t).toBe(1100);
    actor.send({ type: 'playback.seek', t: 0 });
    expect(actor.getSnapshot().context.t).toBe(100);
    expect(clampSpeed(0.01)).toBe(0.1);
    expect(clampSpeed(5)).toBe(2);
    expect(clampSpeed(Number.NaN)).toBe(1);
  });

  it('runs a frame ticker only while time moves', () => {
    const { actor, tickers } = start();
    const before = tickers();
    actor.send({ type: 'playback.pause' });
    actor.send({ type: 'playback.step', direction: 1 });
    expect(tickers()).toBe(before);
    actor.send({ type: 'playback.play' });
    expect(tickers()).toBe(before + 1);
  });

  it('rewinds to the start when play is pressed at the end', () => {
    const { actor } = start();
    actor.send({ type: 'playback.seek', t: 1100 });
    actor.send({ type: 'playback.play' });
    expect(actor.getSnapshot().context.t).toBe(100);
  });
});
