import { useMachine } from '@xstate/react';
import { useContext, useMemo } from 'react';
import { EXPECT_METRICS, type Experiment } from '../../common/lesson';
import { LabContext } from '../lab/LabContext';
import { BackendBadge, useBackend } from './BackendBadge';
import { describeExperiment, FOCUS_LABELS, formatMetric, measured, METRIC_LABELS } from './describe';
import { lessonMachine } from './lessonMachine';
import { predict, presetConfig } from './model';

/**
 * "Run this experiment": applies the step's preset, runs it live, and compares the run with
 * the model. With no lab server it replays the step's recorded run instead, and says so.
 */
export function ExperimentPanel({ experiment, lessonId, step }: {
  /** The step's preset and what to look for. */
  experiment: Experiment;
  /** Which recording replays when no lab answers. */
  lessonId: string;
  step: number;
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
  const model = useMemo(() => predict(presetConfig(experiment.config), experiment.run), [experiment]);
  const { summary, error } = state.context;
  const phase = typeof state.value === 'string' ? state.value : Object.keys(state.value)[0];
  const busy = state.matches('replaying') || state.matches('applying') || state.matches('starting') || state.matches('running');

  const status = state.matches('applying')
    ? 'Applying the settings…'
    : state.matches('starting')
      ? 'Starting the run…'
      : state.matches('running')
        ? `Running: ${summary?.completed ?? 0} of ${experiment.run.requests} answered.`
        : state.matches('replaying')
          ? 'Loading the recorded run…'
          : state.matches('done') && recorded
          ? `Replaying a recorded run: ${summary?.completed ?? 0} answered${summary?.errors ? `, ${summary.errors} errors` : ''}.`
          : state.matches('done')
          ? `Done: ${summary?.completed ?? 0} answered${summary?.errors ? `, ${summary.errors} errors` : ''}.`
          : state.matches('failed')
            ? `The experiment failed: ${error ?? 'unknown error'}`
            : '';
  const metrics = experiment.expect ? [experiment.expect.metric] : EXPECT_METRICS.slice(0, 3);

  return (
    <section className="lesson-experiment" aria-labelledby="experiment-heading">
      <h2 id="experiment-heading">
        Experiment <BackendBadge backend={backend} />
      </h2>
      <p className="lesson-preset">{describeExperiment(experiment)}</p>
      <button
        type="button"
        onClick={() => send({ type: 'RUN', experiment, backend, recording: { lessonId, step } })}
        disabled={busy}
      >
        {state.matches('done') || state.matches('failed') ? 'Run it again' : 'Run this experiment'}
      </button>
      <div className="lesson-look-for">
        <h3>What to look for{experiment.focus ? <span> — look at {FOCUS_LABELS[experiment.focus]}</span> : null}</h3>
        <p>{experiment.lookFor}</p>
      </div>
      <p role="status" aria-live="polite" className="lesson-run-status" data-state={phase}>
        {status}
      </p>
      <table className="lesson-results">
        <caption className="visually-hidden">The model’s prediction beside this run’s measurement</caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            {experiment.expect ? <th scope="col">Lesson says</th> : null}
            <th scope="col">Model</th>
            <th scope="col">{recorded ? 'Recorded run' : 'This run'}</th>
          </tr>
        </thead>
        <tbody>
          {metrics.map((metric) => (
            <tr key={metric} data-metric={metric}>
              <th scope="row">{METRIC_LABELS[metric]}</th>
              {experiment.expect ? <td>about {formatMetric(metric, experiment.expect.about)}</td> : null}
              <td>{formatMetric(metric, model[metric])}</td>
              <td data-measured>{summary && state.matches('done') ? formatMetric(metric, measured(summary, metric)) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
