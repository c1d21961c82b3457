/**
 * Rate-limits the narration so a screen reader hears at most one sentence every
 * NARRATION_GAP_MS: the newest sentence waits for the gap; older ones are dropped.
 */
import { assign, setup } from 'xstate';

export const NARRATION_GAP_MS = 2000;

export type NarrationEvent = { type: 'narration.offer'; text: string };

export interface NarrationContext {
  /** What the live region says now. */
  spoken: string;
  /** The newest sentence offered during the gap. */
  next?: string;
}

export const narrationMachine = setup({
  types: { context: {} as NarrationContext, events: {} as NarrationEvent },
  delays: { gap: NARRATION_GAP_MS },
  guards: {
    isNew: ({ context, event }) => event.text !== context.spoken,
    hasNext: ({ context }) => context.next !== undefined && context.next !== context.spoken,
  },
}).createMachine({
  id: 'narration',
  context: { spoken: '' },
  initial: 'quiet',
  states: {
    quiet: {
      on: {
        'narration.offer': {
          guard: 'isNew',
          target: 'cooling',
          actions: assign({ spoken: ({ event }) => event.text, next: undefined }),
        },
      },
    },
    cooling: {
      on: { 'narration.offer': { actions: assign({ next: ({ event }) => event.text }) } },
      after: {
        gap: [
          {
            guard: 'hasNext',
            target: 'cooling',
            reenter: true,
            actions: assign({ spoken: ({ context }) => context.next!, next: undefined }),
          },
          { target: 'quiet', actions: assign({ next: undefined }) },
        ],
      },
    },
  },
});
