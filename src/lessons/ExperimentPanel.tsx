import { useMachine } from '@xstate/react';
import { useContext, useMemo, type ReactNode } from 'react';
import type { Experiment } from '../../common/lesson';
import { LabContext } from '../lab/LabContext';
import { BackendBadge, useBackend } from './BackendBadge';
import { CalibrationNote, useCalibration } from './CalibrationNote';
import { describeExperiment } from './describe';
import { lessonMachine } from './lessonMachine';
import { PromiseTable } from './PromiseTable';

/**
 * "Run this experiment": applies the step's preset, runs it live, and compares the run with
 * the model. With no lab server it replays the step's recorded run instead, and says so.
 */

const count = new Intl.NumberFormat('en-US');
export function ExperimentPanel({
  experiment,
  lessonId,
  step,
  children,
}: {
  /** The step's preset and what to look for. */
  experiment: Experiment;
  /** Which recording replays when no lab answers. */
  lessonId: string;
  step: number;
  /** The stage, shown between the button and the numbers. */
  children?: ReactNode;
}) {
  const lab = useContext(LabContext);
  const backend = useBackend();
  const machine = useMemo(
    () =>
      lessonMachine.provide({
        actions: { showRecording: (_, { runId, events }) => lab?.replayLocal(runId, events) },
      }),
    [lab],
  );
  const [state, send] = useMachine(machine);
  const recorded = state.context.source === 'recorded';
  const { calibration, measuring, measure } = useCalibration(backend);
  const watchRecording = () => send({ type: 'RUN', experiment, backend: 'recorded', recording: { lessonId, step } });
  const { summary, error } = state.context;
  const phase = typeof state.value === 'string' ? state.value : Object.keys(state.value)[0];
  const busy = state.matches('replaying') || state.matches('applying') || state.matches('running');

  // A long-poll run's answers include its publish (POST /users): "10,001 of 10,000" read as a miscount.
  const planned = experiment.run.requests + (experiment.run.route === 'longPoll' ? 1 : 0);
  const status = state.matches('applying')
    ? 'Applying the settings…'
    : state.matches('running') && state.context.runId === null
      ? 'Starting the run…'
      : state.matches('running')
        ? `Running: ${count.format(summary?.completed ?? 0)} of ${count.format(planned)} answered.`
        : state.matches('replaying')
          ? 'Loading the recorded run…'
          : state.matches('done') && recorded
            ? `Replaying a recorded run: ${count.format(summary?.completed ?? 0)} answered${summary?.errors ? `, ${count.format(summary.errors)} errors` : ''}.`
            : state.matches('done')
              ? `Done: ${count.format(summary?.completed ?? 0)} answered${summary?.errors ? `, ${count.format(summary.errors)} errors` : ''}.`
              : state.matches('failed')
                ? `The experiment failed: ${error ?? 'unknown error'}`
                : '';

  return (
    <section className="lesson-experiment" aria-labelledby="experiment-heading">
      <h2 id="experiment-heading">
        Experiment <BackendBadge backend={backend} />
      </h2>
      <p className="lesson-preset">{describeExperiment(experiment)}</p>
      <div className="lesson-run-row">
        <button
          type="button"
          onClick={() => send({ type: 'RUN', experiment, backend, recording: { lessonId, step } })}
          // Not while the lab measures this machine: its requests would land in the run.
          disabled={busy || measuring}
        >
          {state.matches('done') || state.matches('failed') ? 'Run it again' : 'Run this experiment'}
        </button>
        <p role="status" aria-live="polite" className="lesson-run-status" data-state={phase}>
          {status}
        </p>
        {state.matches('failed') && backend === 'live' ? (
          // E.g. an open-file limit too low for ten thousand connections: the recorded run still shows the step.
          <button type="button" onClick={watchRecording}>
            Watch this step's recorded run
          </button>
        ) : null}
      </div>
      {children}
      <PromiseTable
        experiment={experiment}
        calibration={calibration}
        summary={state.matches('done') ? (summary ?? undefined) : undefined}
        recorded={recorded}
        onWatchRecording={watchRecording}
      />
      {backend === 'live' ? (
        <CalibrationNote
          calibration={calibration}
          measuring={measuring}
          running={busy}
          measure={measure}
          onWatchRecording={watchRecording}
        />
      ) : null}
    </section>
  );
}
