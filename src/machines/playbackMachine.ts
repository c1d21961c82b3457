/**
 * Playback of one run's trace: live (follow the newest event), playing (replay at a
 * speed from 0.1x to 2x), paused, stepping one event at a time, or scrubbing. A stored
 * run replays through exactly the same states as a live one.
 */
import { assign, setup } from 'xstate';
import { nextEventTime, previousEventTime } from '../trace/snapshot';
import { frameTicker, type TickEvent } from './ticker';

export const SPEED_MIN = 0.1;
export const SPEED_MAX = 2;

/** What playback needs to know about a run's trace; the trace store provides it. */
export interface TimeSource {
  /** The run's events, sorted by t. */
  events(runId: string): readonly { t: number }[];
}

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1;
  return Math.round(Math.min(SPEED_MAX, Math.max(SPEED_MIN, speed)) * 100) / 100;
}

function bounds(source: TimeSource, runId: string | undefined): { start: number; end: number } {
  if (!runId) return { start: 0, end: 0 };
  const events = source.events(runId);
  return { start: events[0]?.t ?? 0, end: events.at(-1)?.t ?? 0 };
}

export type PlaybackEvent =
  | TickEvent
  | { type: 'playback.load'; runId: string; live: boolean }
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
}

export const playbackMachine = setup({
  types: {
    context: {} as PlaybackContext,
    input: {} as { source: TimeSource; stepMs?: number },
    events: {} as PlaybackEvent,
  },
  actors: { frameTicker },
  guards: {
    atEnd: ({ context }) => context.t >= bounds(context.source, context.runId).end,
    wantsLive: ({ event }) => event.type === 'playback.load' && event.live,
  },
  actions: {
    load: assign(({ context, event }) => {
      if (event.type !== 'playback.load') return {};
      return { runId: event.runId, t: bounds(context.source, event.runId).start, selectedRid: undefined };
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
    setSpeed: assign({ speed: ({ context, event }) => (event.type === 'playback.speed' ? clampSpeed(event.speed) : context.speed) }),
    rewindIfAtEnd: assign({
      t: ({ context }) => {
        const { start, end } = bounds(context.source, context.runId);
        return context.t >= end ? start : context.t;
      },
    }),
  },
}).createMachine({
  id: 'playback',
  context: ({ input }) => ({ source: input.source, stepMs: input.stepMs, t: 0, speed: 1 }),
  initial: 'live',
  on: {
    'playback.load': [
      { guard: 'wantsLive', target: '.live', actions: 'load' },
      { target: '.playing', actions: 'load' },
    ],
    'playback.speed': { actions: 'setSpeed' },
    'playback.select': { actions: assign({ selectedRid: ({ event }) => event.rid }) },
    'playback.step': { target: '.paused', actions: 'step' },
    'playback.seek': { target: '.paused', actions: 'seek' },
    'playback.live': { target: '.live' },
  },
  states: {
    live: {
      invoke: { src: 'frameTicker', input: ({ context }) => ({ stepMs: context.stepMs }) },
      entry: 'followNewest',
      on: {
        tick: { actions: 'followNewest' },
        'playback.pause': { target: 'paused' },
        'playback.toggle': { target: 'paused' },
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
