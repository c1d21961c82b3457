/**
 * The lab's knobs as the page sees them: loading, applied, pending (the subject may be
 * restarting), or refused with the server's own message. A change while one is pending
 * is queued and sent when the first settles, so the last click wins.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { LabConfig, LabConfigPatch } from '../../common/config';
import { DEFAULT_CONFIG, RESTART_KNOBS } from '../../common/knobs';
import { api } from '../api/client';

export type ConfigEvent =
  | { type: 'config.change'; patch: LabConfigPatch }
  | { type: 'config.received'; config: LabConfig }
  | { type: 'config.dismiss' };

/** Whether applying this change restarts the subject (seconds) rather than switching in place (ms). */
export const restartsSubject = (patch: LabConfigPatch | undefined): boolean =>
  patch !== undefined && RESTART_KNOBS.some((key) => patch[key] !== undefined);

/** Why "Fire" waits, or undefined when it need not. */
export function fireBlockedReason(context: ConfigContext, pending: boolean): string | undefined {
  if (!pending) return undefined;
  return restartsSubject(context.pending)
    ? 'The subject is restarting with the new settings; Fire when it is ready.'
    : 'Applying the new settings…';
}

export interface ConfigContext {
  config: LabConfig;
  /** What is being applied right now. */
  pending?: LabConfigPatch;
  /** A change made while another was pending. */
  queued?: LabConfigPatch;
  message?: string;
  loaded: boolean;
}

export const configMachine = setup({
  types: { context: {} as ConfigContext, events: {} as ConfigEvent },
  actors: {
    loadConfig: fromPromise<LabConfig>(() => api.getConfig()),
    applyConfig: fromPromise<LabConfig, LabConfigPatch>(({ input }) => api.putConfig(input)),
  },
  guards: {
    hasQueued: ({ context }) => context.queued !== undefined,
  },
  actions: {
    receive: assign({
      config: ({ context, event }) => (event.type === 'config.received' ? event.config : context.config),
      loaded: true,
    }),
  },
}).createMachine({
  id: 'config',
  context: { config: DEFAULT_CONFIG, loaded: false },
  initial: 'loading',
  on: { 'config.received': { actions: 'receive' } },
  states: {
    loading: {
      invoke: {
        src: 'loadConfig',
        onDone: { target: 'applied', actions: assign({ config: ({ event }) => event.output, loaded: true }) },
        // The live socket's hello will bring the config; until then show the defaults.
        onError: { target: 'applied' },
      },
      on: { 'config.change': { target: 'pending', actions: assign({ pending: ({ event }) => event.patch }) } },
    },
    applied: {
      on: {
        'config.change': {
          target: 'pending',
          actions: assign({ pending: ({ event }) => event.patch, message: undefined }),
        },
      },
    },
    pending: {
      invoke: {
        src: 'applyConfig',
        input: ({ context }) => context.pending ?? {},
        onDone: [
          {
            guard: 'hasQueued',
            target: 'pending',
            reenter: true,
            actions: assign({
              config: ({ event }) => event.output,
              pending: ({ context }) => context.queued,
              queued: undefined,
            }),
          },
          {
            target: 'applied',
            actions: assign({ config: ({ event }) => event.output, pending: undefined, loaded: true }),
          },
        ],
        onError: {
          target: 'refused',
          actions: assign({
            message: ({ event }) => (event.error instanceof Error ? event.error.message : String(event.error)),
            pending: undefined,
            queued: undefined,
          }),
        },
      },
      on: {
        'config.change': {
          actions: assign({ queued: ({ context, event }) => ({ ...context.queued, ...event.patch }) }),
        },
      },
    },
    refused: {
      on: {
        'config.change': {
          target: 'pending',
          actions: assign({ pending: ({ event }) => event.patch, message: undefined }),
        },
        'config.dismiss': { target: 'applied', actions: assign({ message: undefined }) },
      },
    },
  },
});
