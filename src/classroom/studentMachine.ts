/**
 * A student's phone: find out whether this browser already joined, pick a nickname, then
 * send requests one or ten at a time and keep the latest results. A 429 puts the buttons
 * to rest for the Retry-After the lab asked for.
 */
import { assign, fromCallback, fromPromise, setup, type EventObject } from 'xstate';
import { classroomApi, type ClassroomInfo, type SendResult } from './api';

export const KEPT_RESULTS = 20;

export type StudentEvent =
  | { type: 'join'; nickname: string }
  | { type: 'send'; count: number }
  | { type: 'result'; result: SendResult };

export interface StudentContext {
  nickname?: string;
  error?: string;
  inFlight: number;
  results: SendResult[];
  restMs: number;
}

/** Sends `count` requests at once and reports each answer as it comes. */
const batch = fromCallback<EventObject, { count: number }, StudentEvent>(({ input, sendBack }) => {
  for (let i = 0; i < input.count; i++) void classroomApi.send().then((result) => sendBack({ type: 'result', result }));
});

export const studentMachine = setup({
  types: { context: {} as StudentContext, events: {} as StudentEvent },
  actors: {
    whoAmI: fromPromise<ClassroomInfo>(() => classroomApi.info()),
    joinAs: fromPromise(({ input }: { input: { nickname: string } }) => classroomApi.join(input.nickname)),
    batch,
  },
  delays: { rest: ({ context }) => context.restMs },
  guards: {
    limited: ({ event }) => event.type === 'result' && event.result.status === 429,
  },
  actions: {
    fire: assign(({ context, event, spawn }) => {
      if (event.type !== 'send') return {};
      spawn('batch', { input: { count: event.count } });
      return { inFlight: context.inFlight + event.count };
    }),
    keep: assign(({ context, event }) => {
      if (event.type !== 'result') return {};
      const results = [event.result, ...context.results].slice(0, KEPT_RESULTS);
      return { results, inFlight: Math.max(0, context.inFlight - 1), restMs: event.result.retryAfterMs ?? context.restMs };
    }),
  },
}).createMachine({
  id: 'student',
  context: { inFlight: 0, results: [], restMs: 1000 },
  initial: 'checking',
  states: {
    checking: {
      invoke: {
        src: 'whoAmI',
        onDone: [
          { guard: ({ event }) => event.output.student !== undefined, target: 'ready', actions: assign({ nickname: ({ event }) => event.output.student?.nickname }) },
          { target: 'naming' },
        ],
        onError: { target: 'naming', actions: assign({ error: ({ event }) => (event.error as Error).message }) },
      },
    },
    naming: {
      on: { join: { target: 'joining', actions: assign({ nickname: ({ event }) => event.nickname, error: undefined }) } },
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
      initial: 'free',
      on: { result: [{ guard: 'limited', target: '.resting', actions: 'keep' }, { actions: 'keep' }] },
      states: {
        free: { on: { send: { actions: 'fire' } } },
        /** The lab said 429: the buttons rest until its Retry-After has passed. */
        resting: { after: { rest: 'free' } },
      },
    },
  },
});
