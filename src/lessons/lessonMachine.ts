/**
 * One lesson step's experiment: idle -> applying the preset -> running -> done or failed.
 * The run itself is the lab page's run machine (src/machines/runMachine.ts), invoked with
 * the step's plan: one way to start and follow a run; until it has an id, it is starting.
 * With no lab server (a static build), RUN instead goes idle -> replaying (fetch the step's
 * recorded run, show it) -> done. The player sends RUN and RESET and reads the state; the
 * timing (poll interval, give-up time) lives here, not in React.
 */
import { assign, fromPromise, setup, type SnapshotFrom } from 'xstate';
import type { RunSummary } from '../../common/api';
import type { LabConfig } from '../../common/config';
import type { Experiment } from '../../common/lesson';
import type { TraceEvent } from '../../common/trace';
// The lab's own summariser: a replayed recording reports the numbers the lab reported.
import { summarizeTrace } from '../../common/runSummary';
import { api } from '../api/client';
import type { Backend } from '../machines/connectionMachine';
import { runMachine } from '../machines/runMachine';
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

type RunSnapshot = SnapshotFrom<typeof runMachine>;

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
    run: runMachine,
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
    runDone: (_, run: RunSnapshot) => run.matches('done'),
    runFailed: (_, run: RunSnapshot) => run.matches('failed'),
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
        onDone: { target: 'running', actions: assign({ applied: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => messageOf(event.error) }) },
      },
    },
    running: {
      after: {
        [GIVE_UP_MS]: {
          target: 'failed',
          actions: assign({ error: `the run did not finish within ${GIVE_UP_MS / 1000} s` }),
        },
      },
      invoke: {
        src: 'run',
        input: ({ context }) => ({ plan: (context.experiment as Experiment).run, pollMs: POLL_MS }),
        onSnapshot: [
          {
            guard: { type: 'runDone', params: ({ event }) => event.snapshot },
            target: 'done',
            actions: assign({
              runId: ({ event }) => event.snapshot.context.runId ?? null,
              summary: ({ event }) => event.snapshot.context.summary ?? null,
            }),
          },
          {
            guard: { type: 'runFailed', params: ({ event }) => event.snapshot },
            target: 'failed',
            actions: assign({
              runId: ({ event }) => event.snapshot.context.runId ?? null,
              summary: ({ event }) => event.snapshot.context.summary ?? null,
              error: ({ event }) => event.snapshot.context.message ?? 'the run failed',
            }),
          },
          {
            actions: assign({
              runId: ({ event }) => event.snapshot.context.runId ?? null,
              summary: ({ event }) => event.snapshot.context.summary ?? null,
            }),
          },
        ],
      },
    },
    done: {},
    failed: {},
  },
});
