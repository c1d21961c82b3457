/**
 * The presenter's view of the room: the join URL and how many phones joined, refreshed
 * every couple of seconds by an invoked ticker (components own no timers). Outside
 * classroom mode the endpoint is a 404 and the machine settles in `off`.
 */
import { assign, fromCallback, fromPromise, setup, type EventObject } from 'xstate';
import { ApiError } from '../api/client';
import { classroomApi, type ClassroomInfo } from './api';

export const ROOM_POLL_MS = 2000;

const ticker = fromCallback<EventObject, { ms: number }>(({ input, sendBack }) => {
  const id = setInterval(() => sendBack({ type: 'tick' }), input.ms);
  return () => clearInterval(id);
});

export const roomMachine = setup({
  types: { context: {} as { info?: ClassroomInfo; error?: string } },
  actors: { fetchInfo: fromPromise(() => classroomApi.info()), ticker },
}).createMachine({
  id: 'room',
  context: {},
  initial: 'loading',
  states: {
    loading: {
      invoke: {
        src: 'fetchInfo',
        onDone: { target: 'watching', actions: assign({ info: ({ event }) => event.output, error: undefined }) },
        onError: [
          { guard: ({ event }) => event.error instanceof ApiError && event.error.status === 404, target: 'off' },
          { target: 'watching', actions: assign({ error: ({ event }) => (event.error as Error).message }) },
        ],
      },
    },
    watching: {
      invoke: { src: 'ticker', input: { ms: ROOM_POLL_MS } },
      on: { tick: 'loading' },
    },
    /** The lab is not in classroom mode. */
    off: {},
  },
});
