import { describe, expect, it } from 'vitest';
import { createActor, fromCallback } from 'xstate';
import {
  clampSpeed,
  playbackMachine,
  REPLAY_MAX_WATCH_MS,
  REPLAY_SPEED,
  replaySpeedFor,
} from '../../../src/machines/playbackMachine';

/** A run whose events sit at t = 100, 150, 300, 1100. */
const events = new Map([['run', [100, 150, 300, 1100].map((t) => ({ t }))]]);

function start(live = false, options: { autoReplay?: boolean; window?: { start: number; end: number } } = {}) {
  let ticks = 0;
  const machine = playbackMachine.provide({
    // No real frames in a unit test: the test sends ticks itself.
    actors: { frameTicker: fromCallback(() => void (ticks += 1)) },
  });
  const story = options.window;
  const source = { events: (id: string) => events.get(id) ?? [], ...(story ? { window: () => story } : {}) };
  const actor = createActor(machine, { input: { source, autoReplay: options.autoReplay } }).start();
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

  it('scrubs within the run and clamps speed to 0.05x to 2x', () => {
    const { actor } = start();
    actor.send({ type: 'playback.seek', t: 5000 });
    expect(actor.getSnapshot().context.t).toBe(1100);
    actor.send({ type: 'playback.seek', t: 0 });
    expect(actor.getSnapshot().context.t).toBe(100);
    expect(clampSpeed(0.01)).toBe(0.05);
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

  it('replays a live run slowly from its first request once it finishes, and says it is an automatic replay', () => {
    const { actor } = start(true, { window: { start: 150, end: 1100 } });
    expect(actor.getSnapshot().context.replay).toBe('live');
    actor.send({ type: 'playback.finished', runId: 'run' });
    const replaying = actor.getSnapshot();
    expect(replaying.value).toBe('playing');
    expect(replaying.context).toMatchObject({ t: 150, speed: REPLAY_SPEED, replay: 'auto' });
    // 100 ms of wall time shows 10 ms of the run.
    actor.send({ type: 'tick', dt: 100 });
    expect(actor.getSnapshot().context.t).toBeCloseTo(160, 6);
  });

  it('stays live when the reader switched the automatic replay off', () => {
    const { actor } = start(true, { autoReplay: false });
    actor.send({ type: 'playback.finished', runId: 'run' });
    expect(actor.getSnapshot().value).toBe('live');
    actor.send({ type: 'playback.autoReplay', on: true });
    actor.send({ type: 'playback.finished', runId: 'run' });
    expect(actor.getSnapshot().value).toBe('playing');
  });

  it('leaves the screen alone when another run finished or the reader is already replaying', () => {
    const { actor } = start(true);
    actor.send({ type: 'playback.finished', runId: 'some-other-run' });
    expect(actor.getSnapshot().value).toBe('live');
    actor.send({ type: 'playback.pause' });
    expect(actor.getSnapshot().context.replay).toBe('manual');
    actor.send({ type: 'playback.finished', runId: 'run' });
    expect(actor.getSnapshot().value).toBe('paused');
  });

  it("starts replays at the story window (the first request), not the run's first event", () => {
    const { actor } = start(false, { window: { start: 300, end: 1100 } });
    expect(actor.getSnapshot().context.t).toBe(300);
    actor.send({ type: 'playback.seek', t: 0 });
    expect(actor.getSnapshot().context.t).toBe(300);
  });
});

describe('replaySpeedFor', () => {
  it('replays short runs at the slow speed and long ones fast enough to watch in REPLAY_MAX_WATCH_MS', () => {
    expect(replaySpeedFor(400)).toBe(REPLAY_SPEED);
    expect(replaySpeedFor(400, 0.05)).toBe(0.05);
    const long = replaySpeedFor(30_000);
    expect(long).toBeGreaterThan(REPLAY_SPEED);
    expect(30_000 / long).toBeLessThanOrEqual(REPLAY_MAX_WATCH_MS);
    expect(replaySpeedFor(10 * 60_000)).toBe(2);
  });
});

describe('the live / replay label', () => {
  it('says live, an automatic slow replay (playing or paused), or a replay', async () => {
    const { replayLabel } = await import('../../../src/viz/components/ReplayBadge');
    expect(replayLabel('live', 'live', 0.1)).toBe('Live');
    expect(replayLabel('playing', 'auto', 0.1)).toBe('Slow replay of the run that just finished, 0.10×');
    expect(replayLabel('paused', 'auto', 0.1)).toBe('Slow replay of the run that just finished, paused');
    expect(replayLabel('playing', 'manual', 2)).toBe('Replay, 2.0×');
  });
});
