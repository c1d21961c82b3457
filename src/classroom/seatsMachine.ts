/**
 * The presenter's list of students (the Students drawer): who is in, from which address,
 * since when and how many requests they sent, refreshed every couple of seconds while the
 * drawer is open, and removing one on the presenter's word. Timing lives in the invoked
 * ticker; the component only sends `remove`.
 */
import { assign, fromCallback, fromPromise, setup, type EventObject } from 'xstate';
import type { StudentSeat } from '../../common/api';
import { ApiError } from '../api/client';
import { classroomApi } from './api';
import { ROOM_POLL_MS } from './roomMachine';

export type SeatsEvent = { type: 'tick' } | { type: 'remove'; id: string; nickname: string };

export interface SeatsContext {
  students: StudentSeat[];
  /** The student being removed. */
  pending?: { id: string; nickname: string };
  /** What the last removal did, for the live region. */
  notice?: string;
  error?: string;
}

const ticker = fromCallback<EventObject, { ms: number }>(({ input, sendBack }) => {
  const id = setInterval(() => sendBack({ type: 'tick' }), input.ms);
  return () => clearInterval(id);
});

/** Longest wait first on the board, but here: the order they joined, so rows do not jump. */
const byJoin = (students: StudentSeat[]) => [...students].sort((a, b) => a.joinedAt - b.joinedAt);

export const seatsMachine = setup({
  types: { context: {} as SeatsContext, events: {} as SeatsEvent },
  actors: {
    fetchSeats: fromPromise(() => classroomApi.students()),
    removeStudent: fromPromise(({ input }: { input: { id: string } }) => classroomApi.removeStudent(input.id)),
    ticker,
  },
}).createMachine({
  id: 'seats',
  context: { students: [] },
  initial: 'loading',
  on: {
    remove: {
      target: '.removing',
      actions: assign({ pending: ({ event }) => ({ id: event.id, nickname: event.nickname }), notice: undefined }),
    },
  },
  states: {
    loading: {
      invoke: {
        src: 'fetchSeats',
        onDone: {
          target: 'watching',
          actions: assign({ students: ({ event }) => byJoin(event.output.students), error: undefined }),
        },
        onError: { target: 'watching', actions: assign({ error: ({ event }) => (event.error as Error).message }) },
      },
    },
    watching: {
      invoke: { src: 'ticker', input: { ms: ROOM_POLL_MS } },
      on: { tick: 'loading' },
    },
    removing: {
      invoke: {
        src: 'removeStudent',
        input: ({ context }) => ({ id: context.pending?.id ?? '' }),
        onDone: {
          target: 'loading',
          actions: assign(({ context }) => ({
            notice: `${context.pending?.nickname ?? 'The student'} was removed from the class.`,
            students: context.students.filter((s) => s.id !== context.pending?.id),
            pending: undefined,
          })),
        },
        onError: {
          target: 'loading',
          actions: assign(({ context, event }) => ({
            notice:
              event.error instanceof ApiError && event.error.status === 404
                ? `${context.pending?.nickname ?? 'The student'} had already left.`
                : `Could not remove ${context.pending?.nickname ?? 'the student'}: ${(event.error as Error).message}`,
            pending: undefined,
          })),
        },
      },
    },
  },
});
