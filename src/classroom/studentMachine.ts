/**
 * A student's phone: find out whether this browser already joined, pick a nickname, then
 * send requests one or ten at a time. Each tap is a batch; its requests are shown with a
 * live timer while they are out and their answers as they come. The lab's current mode is
 * polled, so the phone says what the projector says. A 429 puts the buttons to rest for
 * the Retry-After the lab asked for. A 401 means the seat was taken away (the presenter
 * removed this student, or the seat was freed): the phone says why and offers to join again.
 */
import { assign, fromCallback, fromPromise, setup, type EventObject } from 'xstate';
import type { Mode } from '../../common/knobs';
import { classroomApi, type ClassroomInfo, type SendResult } from './api';

/** Batches kept on screen, newest first. */
export const KEPT_BATCHES = 5;
const TICK_MS = 100;
const MODE_POLL_MS = 2000;

export interface SentRequest {
  id: string;
  result?: SendResult;
}

export interface Batch {
  id: number;
  /** performance.now() when the tap sent it. */
  sentAt: number;
  requests: SentRequest[];
}

export type StudentEvent =
  | { type: 'join'; nickname: string }
  | { type: 'send'; count: number }
  | { type: 'result'; batch: number; id: string; result: SendResult }
  | { type: 'tick'; now: number }
  | { type: 'mode'; mode: Mode }
  | { type: 'gone'; message: string }
  | { type: 'rejoin' };

export interface StudentContext {
  nickname?: string;
  error?: string;
  batches: Batch[];
  /** Batches sent so far (ids). */
  sent: number;
  /** performance.now() at the last tick: pending timers read it. */
  now: number;
  mode?: Mode;
  restMs: number;
}

export const pendingCount = (batches: readonly Batch[]): number =>
  batches.reduce((sum, b) => sum + b.requests.filter((r) => !r.result).length, 0);

/** Sends a batch's requests at once and reports each answer as it comes. */
const batchActor = fromCallback<EventObject, { batch: number; ids: string[] }, StudentEvent>(({ input, sendBack }) => {
  for (const id of input.ids)
    void classroomApi.send(id).then((result) => sendBack({ type: 'result', batch: input.batch, id, result }));
});

/** The pending timers' clock: ticks only while something is out. */
const ticker = fromCallback<EventObject, void, StudentEvent>(({ sendBack }) => {
  const timer = setInterval(() => sendBack({ type: 'tick', now: performance.now() }), TICK_MS);
  return () => clearInterval(timer);
});

const modeWatcher = fromCallback<EventObject, void, StudentEvent>(({ sendBack }) => {
  const poll = () =>
    void classroomApi.status().then(({ mode, gone }) => {
      if (gone) sendBack({ type: 'gone', message: gone });
      else if (mode) sendBack({ type: 'mode', mode });
    });
  poll();
  const timer = setInterval(poll, MODE_POLL_MS);
  return () => clearInterval(timer);
});

/** A per-request id: a unique URL, so a browser never holds one request back behind another. */
const requestId = (batch: number, index: number): string =>
  `${batch}-${index}-${Math.random().toString(36).slice(2, 8)}`;

export const studentMachine = setup({
  types: { context: {} as StudentContext, events: {} as StudentEvent },
  actors: {
    whoAmI: fromPromise<ClassroomInfo>(() => classroomApi.info()),
    joinAs: fromPromise(({ input }: { input: { nickname: string } }) => classroomApi.join(input.nickname)),
    batch: batchActor,
    ticker,
    modeWatcher,
  },
  delays: { rest: ({ context }) => context.restMs },
  guards: {
    limited: ({ event }) => event.type === 'result' && event.result.status === 429,
    seatGone: ({ event }) => event.type === 'result' && event.result.status === 401,
    allAnswered: ({ context }) => pendingCount(context.batches) === 0,
  },
  actions: {
    fire: assign(({ context, event, spawn }) => {
      if (event.type !== 'send') return {};
      const id = context.sent + 1;
      const ids = Array.from({ length: event.count }, (_, i) => requestId(id, i));
      spawn('batch', { input: { batch: id, ids } });
      const batch: Batch = { id, sentAt: performance.now(), requests: ids.map((rid) => ({ id: rid })) };
      return { sent: id, now: batch.sentAt, batches: [batch, ...context.batches].slice(0, KEPT_BATCHES) };
    }),
    keep: assign(({ context, event }) => {
      if (event.type !== 'result') return {};
      const batches = context.batches.map((b) =>
        b.id !== event.batch
          ? b
          : { ...b, requests: b.requests.map((r) => (r.id === event.id ? { ...r, result: event.result } : r)) },
      );
      return { batches, restMs: event.result.retryAfterMs ?? context.restMs, mode: event.result.mode ?? context.mode };
    }),
  },
}).createMachine({
  id: 'student',
  context: { batches: [], sent: 0, now: 0, restMs: 1000 },
  initial: 'checking',
  states: {
    checking: {
      invoke: {
        src: 'whoAmI',
        onDone: [
          {
            guard: ({ event }) => event.output.student !== undefined,
            target: 'ready',
            actions: assign({ nickname: ({ event }) => event.output.student?.nickname }),
          },
          { target: 'naming' },
        ],
        onError: { target: 'naming', actions: assign({ error: ({ event }) => (event.error as Error).message }) },
      },
    },
    /** The seat was taken away: the phone says why; the student may join again. */
    removed: {
      on: { rejoin: { target: 'naming', actions: assign({ batches: [], sent: 0 }) } },
    },
    naming: {
      on: {
        join: { target: 'joining', actions: assign({ nickname: ({ event }) => event.nickname, error: undefined }) },
      },
    },
    joining: {
      invoke: {
        src: 'joinAs',
        input: ({ context }) => ({ nickname: context.nickname ?? '' }),
        onDone: { target: 'ready', actions: assign({ nickname: ({ event }) => event.output.student.nickname }) },
        onError: { target: 'naming', actions: assign({ error: ({ event }) => (event.error as Error).message }) },
      },
    },
    ready: {
      type: 'parallel',
      invoke: { src: 'modeWatcher' },
      on: {
        mode: { actions: assign({ mode: ({ event }) => event.mode }) },
        gone: { target: 'removed', actions: assign({ error: ({ event }) => event.message }) },
      },
      states: {
        sending: {
          initial: 'free',
          on: {
            result: [
              {
                guard: 'seatGone',
                target: '#student.removed',
                actions: assign({ error: ({ event }) => (event.type === 'result' ? event.result.message : undefined) }),
              },
              { guard: 'limited', target: '.resting', actions: 'keep' },
              { actions: 'keep' },
            ],
          },
          states: {
            free: { on: { send: { actions: 'fire' } } },
            /** The lab said 429: the buttons rest until its Retry-After has passed. */
            resting: { after: { rest: 'free' } },
          },
        },
        clock: {
          initial: 'still',
          states: {
            still: { on: { send: 'ticking' } },
            ticking: {
              invoke: { src: 'ticker' },
              on: { tick: { actions: assign({ now: ({ event }) => event.now }) } },
              always: { guard: 'allAnswered', target: 'still' },
            },
          },
        },
      },
    },
  },
});
