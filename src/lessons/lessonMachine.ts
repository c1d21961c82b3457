/**
 * One lesson step's experiment: idle -> applying the preset -> starting the run ->
 * running (polling its summary) -> done or failed. With no lab server (a static build),
 * RUN instead goes idle -> replaying (fetch the step's recorded run, show it) -> done.
 * The player sends RUN and RESET and reads the state; the timing (poll interval,
 * give-up time) lives here, not in React.
 */
import { assign, fromPromise, setup } from 'xstate';
import type { RunSummary } from '../../common/api';
import type { LabConfig } from '../../common/config';
import type { Experiment } from '../../common/lesson';
import type { TraceEvent } from '../../common/trace';
// The lab's own summariser: a replayed recording reports the numbers the lab reported.
import { summarizeTrace } from '../../common/runSummary';
import { api } from '../api/client';
import type { Backend } from '../machines/connectionMachine';
import { presetConfig } from './model';
import { fetchRecording } from './recordings';

/** How often the running run's summary is fetched. */
export const POLL_MS = 250;
/** A run still not finished after this is reported as failed (lesson runs take seconds). */
export const GIVE_UP_MS = 120_000;

export interface LessonContext {
  experiment: Experiment | null;
  applied: LabConfig | null;
  runId: string | null;
  summary: RunSummary | null;
  error: string | null;
  recording: RecordingRef | null;
  /** Where the shown run came from: the lab, just now, or a recording of it. */
  source: 'live' | 'recorded' | null;
}

/** Which step's recording to replay when there is no lab. */
export interface RecordingRef {
  lessonId: string;
  step: number;
}

export type LessonEvent =
  | {
      type: 'RUN';
      experiment: Experiment;
      /** What the connection machine says experiments run against (default: live). */
      backend?: Backend;
      recording?: RecordingRef;
    }
  | { type: 'RESET' };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export const lessonMachine = setup({
  types: {
    context: {} as LessonContext,
    events: {} as LessonEvent,
  },
  actors: {
    applyConfig: fromPromise<LabConfig, Experiment>(({ input, signal }) =>
      api.putConfig(presetConfig(input.config), signal),
    ),
    startRun: fromPromise<string, Experiment>(async ({ input, signal }) => (await api.startRun(input.run, signal)).id),
    fetchRun: fromPromise<RunSummary, string>(({ input, signal }) => api.getRun(input, signal)),
    fetchRecording: fromPromise<TraceEvent[], RecordingRef>(({ input, signal }) =>
      fetchRecording(input.lessonId, input.step, signal),
    ),
  },
  actions: {
    /** Puts the recorded run on screen; the player provides it (the lab system's loadLocal). */
    showRecording: (_, _params: { runId: string; events: TraceEvent[] }) => {},
  },
  guards: {
    replays: ({ event }) => event.type === 'RUN' && event.backend === 'recorded' && event.recording !== undefined,
    stillRunning: (_, summary: RunSummary) => summary.status === 'running',
    finishedWell: (_, summary: RunSummary) => summary.status === 'done',
  },
}).createMachine({
  id: 'lesson',
  initial: 'idle',
  context: { experiment: null, applied: null, runId: null, summary: null, error: null, source: null, recording: null },
  on: {
    RUN: [
      {
        guard: 'replays',
        target: '.replaying',
        actions: assign({
          experiment: ({ event }) => event.experiment,
          recording: ({ event }) => event.recording ?? null,
          applied: null,
          runId: null,
          summary: null,
          error: null,
          source: 'recorded',
        }),
      },
      {
        target: '.applying',
        actions: assign({
          experiment: ({ event }) => event.experiment,
          recording: null,
          applied: null,
          runId: null,
          summary: null,
          error: null,
          source: 'live',
        }),
      },
    ],
    RESET: {
      target: '.idle',
      actions: assign({
        experiment: null,
        applied: null,
        runId: null,
        summary: null,
        error: null,
        source: null,
        recording: null,
      }),
    },
  },
  states: {
    idle: {},
    replaying: {
      invoke: {
        src: 'fetchRecording',
        input: ({ context }) => context.recording as RecordingRef,
        onDone: {
          target: 'done',
          actions: [
            assign(({ event }) => {
              const summary = summarizeTrace(event.output) ?? null;
              return { summary, runId: summary?.id ?? null, applied: summary?.config ?? null };
            }),
            {
              type: 'showRecording',
              params: ({ context, event }) => ({ runId: context.runId ?? 'recording', events: event.output }),
            },
          ],
        },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => messageOf(event.error) }) },
      },
    },
    applying: {
      invoke: {
        src: 'applyConfig',
        input: ({ context }) => context.experiment as Experiment,
        onDone: { target: 'starting', actions: assign({ applied: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => messageOf(event.error) }) },
      },
    },
    starting: {
      invoke: {
        src: 'startRun',
        input: ({ context }) => context.experiment as Experiment,
        onDone: { target: 'running', actions: assign({ runId: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => messageOf(event.error) }) },
      },
    },
    running: {
      initial: 'waiting',
      after: {
        [GIVE_UP_MS]: {
          target: 'failed',
          actions: assign({ error: `the run did not finish within ${GIVE_UP_MS / 1000} s` }),
        },
      },
      states: {
        waiting: { after: { [POLL_MS]: 'fetching' } },
        fetching: {
          invoke: {
            src: 'fetchRun',
            input: ({ context }) => context.runId as string,
            onDone: [
              {
                guard: { type: 'stillRunning', params: ({ event }) => event.output },
                target: 'waiting',
                actions: assign({ summary: ({ event }) => event.output }),
              },
              {
                guard: { type: 'finishedWell', params: ({ event }) => event.output },
                target: '#lesson.done',
                actions: assign({ summary: ({ event }) => event.output }),
              },
              {
                target: '#lesson.failed',
                actions: assign({
                  summary: ({ event }) => event.output,
                  error: ({ event }) =>
                    `the run ended ${event.output.status}${event.output.message ? `: ${event.output.message}` : ''}`,
                }),
              },
            ],
            onError: { target: '#lesson.failed', actions: assign({ error: ({ event }) => messageOf(event.error) }) },
          },
        },
      },
    },
    done: {},
    failed: {},
  },
});
