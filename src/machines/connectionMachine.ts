/**
 * The live connection to the lab: connecting, connected (live or lagging behind the
 * stream), reconnecting with exponential backoff. Every message is forwarded to
 * `onMessage` (the lab system routes it to the other machines and the trace store).
 */
import { assign, sendTo, setup } from 'xstate';
import type { HealthResponse, LiveMessage } from '../../common/api';
import { liveSocket, type SocketEvent } from './socketActor';

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;
/** How long to stay behind after a `lagging` notice before asking the server to resume. */
export const LAG_SETTLE_MS = 1000;

/** 500 ms, 1 s, 2 s, ... capped at 10 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
}

/**
 * What experiments run against: `live` while a lab server answers on the socket,
 * `recorded` while none does (a static build with no lab: lessons replay recorded runs),
 * `unknown` before the first attempt settles.
 */
export type Backend = 'unknown' | 'live' | 'recorded';

/** What the lab system hears: every server message, plus `resync` when live batches were skipped. */
export type ConnectionNotice = LiveMessage | { type: 'resync' } | { type: 'disconnected' };

export interface ConnectionInput {
  url: string;
  onMessage: (notice: ConnectionNotice) => void;
}

export interface ConnectionContext extends ConnectionInput {
  attempt: number;
  health?: HealthResponse;
  lastError?: string;
  skipped: number;
  backend: Backend;
}

export type ConnectionEvent = SocketEvent | { type: 'connection.retry' };

export const connectionMachine = setup({
  types: {
    context: {} as ConnectionContext,
    input: {} as ConnectionInput,
    events: {} as ConnectionEvent,
  },
  actors: { liveSocket },
  delays: {
    backoff: ({ context }) => backoffDelay(context.attempt),
    lagSettle: LAG_SETTLE_MS,
  },
  actions: {
    forward: ({ context, event }) => {
      if (event.type === 'socket.message') context.onMessage(event.message);
    },
    notify: ({ context }, notice: ConnectionNotice) => context.onMessage(notice),
  },
  guards: {
    isLagging: ({ event }) => event.type === 'socket.message' && event.message.type === 'lagging',
  },
}).createMachine({
  id: 'connection',
  context: ({ input }) => ({ ...input, attempt: 0, skipped: 0, backend: 'unknown' as Backend }),
  initial: 'online',
  states: {
    online: {
      invoke: { id: 'socket', src: 'liveSocket', input: ({ context }) => ({ url: context.url }) },
      initial: 'connecting',
      on: {
        'socket.closed': {
          target: 'reconnecting',
          actions: [
            assign({
              lastError: ({ event }) => event.reason,
              attempt: ({ context }) => context.attempt + 1,
              // No lab (or it went away): experiments replay recordings until one answers again.
              backend: 'recorded',
            }),
            { type: 'notify', params: { type: 'disconnected' } },
          ],
        },
      },
      states: {
        connecting: {
          on: { 'socket.open': { target: 'connected' } },
        },
        connected: {
          entry: assign({ attempt: 0, lastError: undefined, backend: 'live' }),
          initial: 'live',
          on: {
            'socket.message': [
              {
                guard: 'isLagging',
                target: '.lagging',
                actions: [
                  'forward',
                  assign({
                    skipped: ({ context, event }) =>
                      context.skipped + (event.message.type === 'lagging' ? event.message.skipped : 0),
                  }),
                ],
              },
              {
                actions: [
                  'forward',
                  assign({
                    health: ({ context, event }) =>
                      event.message.type === 'hello' || event.message.type === 'status'
                        ? event.message.health
                        : context.health,
                  }),
                ],
              },
            ],
          },
          states: {
            live: {},
            /** The server skipped live batches for us; after a breath, ask to resume and refetch the run. */
            lagging: {
              after: {
                lagSettle: {
                  target: 'live',
                  actions: [
                    sendTo('socket', { type: 'socket.send', message: { type: 'resume' } }),
                    { type: 'notify', params: { type: 'resync' } },
                  ],
                },
              },
            },
          },
        },
      },
    },
    reconnecting: {
      after: { backoff: { target: 'online' } },
      on: { 'connection.retry': { target: 'online' } },
    },
  },
});
