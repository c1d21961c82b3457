/**
 * One run's lifecycle as the page follows it: idle, starting (POST /api/runs), running,
 * done, failed (including "the database is down"). It also adopts runs started by
 * someone else (a lesson, another browser), announced on the live socket. A lesson step
 * runs its experiment through this machine too (src/lessons/lessonMachine.ts), started
 * with its plan as input: one way to start and follow a run.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { HealthResponse, RunSummary } from '../../common/api';
import type { RunRequest } from '../../common/config';
import { api } from '../api/client';

export const POLL_MS = 1000;
export const DATABASE_DOWN = 'The database is down: requests get 503 until it is back.';

export type RunEvent =
  | { type: 'run.fire'; plan: RunRequest }
  | { type: 'run.update'; run: RunSummary }
  | { type: 'run.health'; health: HealthResponse }
  | { type: 'run.reset' };

export interface RunInput {
  /** Start this run at once (a lesson step); without it the machine waits in idle. */
  plan?: RunRequest;
  /** How often a running run's summary is fetched when the socket says nothing (default POLL_MS). */
  pollMs?: number;
}

export interface RunContext {
  runId?: string;
  plan?: RunRequest;
  summary?: RunSummary;
  message?: string;
  databaseUp: boolean;
  pollMs: number;
}

const isTerminal = (run: RunSummary) => run.status !== 'running';

function failureMessage(run: RunSummary): string {
  if (run.status === 'cancelled') return 'The run was cancelled.';
  return `The run failed after ${run.completed} requests (${run.errors} errors)${run.message ? `: ${run.message}` : ''}.`;
}

/** What idle, done and failed all accept: fire a run, or follow one someone else started. */
const AT_REST = {
  'run.fire': { target: '#run.starting', actions: 'rememberPlan' },
  'run.update': { guard: 'isNewRunning', target: '#run.running', actions: 'adopt' },
} as const;

export const runMachine = setup({
  types: { context: {} as RunContext, events: {} as RunEvent, input: {} as RunInput },
  actors: {
    startRun: fromPromise<{ id: string }, RunRequest>(({ input }) => api.startRun(input)),
    fetchRun: fromPromise<RunSummary, string>(({ input }) => api.getRun(input)),
  },
  delays: { poll: ({ context }) => context.pollMs },
  guards: {
    isThisRun: ({ context, event }) => event.type === 'run.update' && event.run.id === context.runId,
    isNewRunning: ({ context, event }) =>
      event.type === 'run.update' && event.run.status === 'running' && event.run.id !== context.runId,
    updateDone: ({ context, event }) =>
      event.type === 'run.update' && event.run.id === context.runId && event.run.status === 'done',
    updateFailed: ({ context, event }) =>
      event.type === 'run.update' && event.run.id === context.runId && isTerminal(event.run),
    databaseDown: ({ event }) => event.type === 'run.health' && !event.health.database.up,
    hasPlan: ({ context }) => context.plan !== undefined,
  },
  actions: {
    rememberPlan: assign(({ event }) =>
      event.type === 'run.fire' ? { plan: event.plan, message: undefined, runId: undefined, summary: undefined } : {},
    ),
    adopt: assign(({ event }) =>
      event.type === 'run.update'
        ? { runId: event.run.id, summary: event.run, plan: event.run.plan, message: undefined }
        : {},
    ),
    keepSummary: assign({
      summary: ({ context, event }) => (event.type === 'run.update' ? event.run : context.summary),
    }),
    failFromSummary: assign({
      summary: ({ context, event }) => (event.type === 'run.update' ? event.run : context.summary),
      message: ({ event }) => (event.type === 'run.update' ? failureMessage(event.run) : undefined),
    }),
    trackHealth: assign({
      databaseUp: ({ context, event }) => (event.type === 'run.health' ? event.health.database.up : context.databaseUp),
    }),
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => ({ databaseUp: true, plan: input.plan, pollMs: input.pollMs ?? POLL_MS }),
  initial: 'idle',
  on: {
    'run.health': { actions: 'trackHealth' },
  },
  states: {
    idle: { always: { guard: 'hasPlan', target: 'starting' }, on: AT_REST },
    starting: {
      invoke: {
        src: 'startRun',
        input: ({ context }) => context.plan!,
        onDone: { target: 'running', actions: assign({ runId: ({ event }) => event.output.id, summary: undefined }) },
        onError: {
          target: 'failed',
          actions: assign({
            message: ({ event }) => (event.error instanceof Error ? event.error.message : String(event.error)),
          }),
        },
      },
    },
    running: {
      on: {
        'run.update': [
          { guard: 'updateDone', target: 'done', actions: 'keepSummary' },
          { guard: 'updateFailed', target: 'failed', actions: 'failFromSummary' },
          { guard: 'isThisRun', actions: 'keepSummary' },
        ],
        'run.health': {
          guard: 'databaseDown',
          target: 'failed',
          actions: ['trackHealth', assign({ message: DATABASE_DOWN })],
        },
      },
      // The socket normally reports the end; polling covers a socket that is down.
      initial: 'waiting',
      states: {
        waiting: { after: { poll: 'polling' } },
        polling: {
          invoke: {
            src: 'fetchRun',
            input: ({ context }) => context.runId!,
            onDone: [
              {
                guard: ({ event }) => event.output.status === 'done',
                target: '#run.done',
                actions: assign({ summary: ({ event }) => event.output }),
              },
              {
                guard: ({ event }) => isTerminal(event.output),
                target: '#run.failed',
                actions: assign({
                  summary: ({ event }) => event.output,
                  message: ({ event }) => failureMessage(event.output),
                }),
              },
              { target: 'waiting', actions: assign({ summary: ({ event }) => event.output }) },
            ],
            onError: { target: 'waiting' },
          },
        },
      },
    },
    done: { on: AT_REST },
    failed: { on: AT_REST },
  },
});
