/**
 * Playback of one run's trace: live (follow the newest event), playing (replay at a
 * speed from 0.05x to 2x), paused, stepping one event at a time, or scrubbing. A stored
 * run replays through exactly the same states as a live one.
 *
 * A live run is over in a blink (ten non-blocking requests take ~0.4 s), so when the run
 * on screen finishes, playback replays it slowly from its first request, unless the
 * reader switched that off. `replay` says whether the picture is live, an automatic
 * replay or one the reader asked for, so the page can label it.
 */
import { assign, setup } from 'xstate';
import { nextEventTime, previousEventTime } from '../trace/snapshot';
import { frameTicker, type TickEvent } from './ticker';

export const SPEED_MIN = 0.05;
export const SPEED_MAX = 2;
/** The automatic replay's speed: ten non-blocking requests (~0.4 s) take ~4 s to watch. */
export const REPLAY_SPEED = 0.1;
/** A longer run replays faster than REPLAY_SPEED so that watching it takes at most this long. */
export const REPLAY_MAX_WATCH_MS = 30_000;

/** What playback needs to know about a run's trace; the trace store provides it. */
export interface TimeSource {
  /** The run's events, sorted by t. */
  events(runId: string): readonly { t: number }[];
  /** Where replays start and end (default: the first and last event). */
  window?(runId: string): { start: number; end: number };
}

/** Where the picture comes from: the run as it happens, or a replay (automatic or asked for). */
export type ReplayKind = 'live' | 'auto' | 'manual';

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1;
  return Math.round(Math.min(SPEED_MAX, Math.max(SPEED_MIN, speed)) * 100) / 100;
}

/** The slow replay's speed for a run this long: `preferred`, unless watching would take over REPLAY_MAX_WATCH_MS. */
export function replaySpeedFor(durationMs: number, preferred = REPLAY_SPEED): number {
  const fastEnough = durationMs > 0 ? durationMs / REPLAY_MAX_WATCH_MS : 0;
  return clampSpeed(Math.max(preferred, Math.ceil(fastEnough * 100) / 100));
}

function bounds(source: TimeSource, runId: string | undefined): { start: number; end: number } {
  if (!runId) return { start: 0, end: 0 };
  if (source.window) return source.window(runId);
  const events = source.events(runId);
  return { start: events[0]?.t ?? 0, end: events.at(-1)?.t ?? 0 };
}

export type PlaybackEvent =
  | TickEvent
  | { type: 'playback.load'; runId: string; live: boolean }
  /** Replays a run slowly from its first request (a recording a lesson just loaded). */
  | { type: 'playback.replay'; runId: string }
  /** The live run `runId` is over and its whole trace is in: replay it slowly if it is on screen. */
  | { type: 'playback.finished'; runId: string }
  | { type: 'playback.autoReplay'; on: boolean }
  | { type: 'playback.live' }
  | { type: 'playback.play' }
  | { type: 'playback.pause' }
  | { type: 'playback.toggle' }
  | { type: 'playback.step'; direction: 1 | -1 }
  | { type: 'playback.seek'; t: number }
  | { type: 'playback.speed'; speed: number }
  | { type: 'playback.select'; rid: string | undefined };

export interface PlaybackContext {
  source: TimeSource;
  runId?: string;
  t: number;
  speed: number;
  /** The request the code view follows; undefined: whichever is on the thread. */
  selectedRid?: string;
  /** Coarse ticks instead of per-frame motion (prefers-reduced-motion). */
  stepMs?: number;
  /** Replay each live run slowly once it finishes. */
  autoReplay: boolean;
  replay: ReplayKind;
}

export const playbackMachine = setup({
  types: {
    context: {} as PlaybackContext,
    input: {} as { source: TimeSource; stepMs?: number; autoReplay?: boolean },
    events: {} as PlaybackEvent,
  },
  actors: { frameTicker },
  guards: {
    atEnd: ({ context }) => context.t >= bounds(context.source, context.runId).end,
    wantsLive: ({ event }) => event.type === 'playback.load' && event.live,
    /** The run that just finished is the one on screen, live, and the reader wants replays. */
    replaysFinished: ({ context, event }) =>
      event.type === 'playback.finished' && context.autoReplay && event.runId === context.runId,
  },
  actions: {
    load: assign(({ context, event }) => {
      if (event.type !== 'playback.load') return {};
      const replay: ReplayKind = event.live ? 'live' : 'manual';
      return { runId: event.runId, t: bounds(context.source, event.runId).start, selectedRid: undefined, replay };
    }),
    /** From the first request, at the slow speed for this run's length. */
    startSlowReplay: assign(({ context, event }) => {
      if (event.type !== 'playback.replay' && event.type !== 'playback.finished') return {};
      const { start, end } = bounds(context.source, event.runId);
      const replay: ReplayKind = event.type === 'playback.finished' ? 'auto' : 'manual';
      return { runId: event.runId, t: start, speed: replaySpeedFor(end - start), replay };
    }),
    followNewest: assign({ t: ({ context }) => bounds(context.source, context.runId).end }),
    advance: assign({
      t: ({ context, event }) => {
        const { end } = bounds(context.source, context.runId);
        const dt = event.type === 'tick' ? event.dt : 0;
        return Math.min(end, context.t + dt * context.speed);
      },
    }),
    step: assign({
      t: ({ context, event }) => {
        if (event.type !== 'playback.step' || !context.runId) return context.t;
        const events = context.source.events(context.runId);
        return event.direction > 0 ? nextEventTime(events, context.t) : previousEventTime(events, context.t);
      },
    }),
    seek: assign({
      t: ({ context, event }) => {
        if (event.type !== 'playback.seek') return context.t;
        const { start, end } = bounds(context.source, context.runId);
        return Math.min(end, Math.max(start, event.t));
      },
    }),
    setSpeed: assign({
      speed: ({ context, event }) => (event.type === 'playback.speed' ? clampSpeed(event.speed) : context.speed),
    }),
    rewindIfAtEnd: assign({
      t: ({ context }) => {
        const { start, end } = bounds(context.source, context.runId);
        return context.t >= end ? start : context.t;
      },
    }),
  },
}).createMachine({
  id: 'playback',
  context: ({ input }) => ({
    source: input.source,
    stepMs: input.stepMs,
    t: 0,
    speed: REPLAY_SPEED,
    autoReplay: input.autoReplay ?? true,
    replay: 'live',
  }),
  initial: 'live',
  on: {
    'playback.load': [
      { guard: 'wantsLive', target: '.live', actions: 'load' },
      { target: '.playing', actions: 'load' },
    ],
    'playback.replay': { target: '.playing', actions: 'startSlowReplay' },
    'playback.autoReplay': { actions: assign({ autoReplay: ({ event }) => event.on }) },
    'playback.speed': { actions: 'setSpeed' },
    'playback.select': { actions: assign({ selectedRid: ({ event }) => event.rid }) },
    'playback.step': { target: '.paused', actions: 'step' },
    'playback.seek': { target: '.paused', actions: 'seek' },
    'playback.live': { target: '.live', actions: assign({ replay: 'live' }) },
  },
  states: {
    live: {
      invoke: { src: 'frameTicker', input: ({ context }) => ({ stepMs: context.stepMs }) },
      entry: 'followNewest',
      on: {
        tick: { actions: 'followNewest' },
        'playback.finished': { guard: 'replaysFinished', target: 'playing', actions: 'startSlowReplay' },
        'playback.pause': { target: 'paused', actions: assign({ replay: 'manual' }) },
        'playback.toggle': { target: 'paused', actions: assign({ replay: 'manual' }) },
      },
    },
    playing: {
      invoke: { src: 'frameTicker', input: ({ context }) => ({ stepMs: context.stepMs }) },
      on: {
        tick: [{ guard: 'atEnd', target: 'paused' }, { actions: 'advance' }],
        'playback.pause': { target: 'paused' },
        'playback.toggle': { target: 'paused' },
      },
    },
    paused: {
      on: {
        'playback.play': { target: 'playing', actions: 'rewindIfAtEnd' },
        'playback.toggle': { target: 'playing', actions: 'rewindIfAtEnd' },
      },
    },
  },
});
