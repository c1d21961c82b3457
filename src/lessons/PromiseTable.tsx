import type { RunSummary } from '../../common/api';
import type { Experiment } from '../../common/lesson';
import type { Calibration } from '../machines/calibrationMachine';
import { promiseRows, verdict, type Verdict } from './calibration';
import { formatMetric, measured, METRIC_LABELS } from './describe';

function verdictText(v: Verdict): string {
  const x = `${v.ratio.toFixed(1)}×`;
  if (v.kind === 'as-promised') return `As promised: within ${x} of the model on this machine.`;
  if (v.kind === 'missed') return `This run missed the promise: ${x} off the model on this machine.`;
  return `This machine is too busy to show the effect right now: the subject's loop ran ${Math.round(v.idleLoopDelayMs)} ms late while idle (the lesson needs under 20 ms), and this run came out ${x} off.`;
}

/**
 * The model's promise on this machine ("about {n} ms here": the model plus the measured base
 * round trip) beside this run's number, and a plain verdict. Rows whose number the model
 * leaves out (it predicts 0 there) are not shown: a "0 ms" promise says nothing.
 */
export function PromiseTable({
  experiment,
  calibration,
  summary,
  recorded,
  onWatchRecording,
}: {
  experiment: Experiment;
  calibration: Calibration | undefined;
  /** The finished run's summary; undefined until one is done. */
  summary: RunSummary | undefined;
  recorded: boolean;
  /** Offered when the machine is too busy: replay the recording of this step instead. */
  onWatchRecording: () => void;
}) {
  const { rows, modelSilent } = promiseRows(experiment, calibration);
  const headline = modelSilent ? undefined : rows[0];
  const judged =
    headline && summary && !recorded
      ? verdict(headline.metric, headline.promised, measured(summary, headline.metric), calibration)
      : undefined;
  const here = calibration ? ' here' : '';
  return (
    <>
      <table className="lesson-results">
        <caption className="visually-hidden">The model’s promise on this machine beside this run’s measurement</caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            {modelSilent ? null : <th scope="col">Model{here}</th>}
            <th scope="col">{recorded ? 'Recorded run' : 'This run'}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ metric, promised }) => (
            <tr key={metric} data-metric={metric}>
              <th scope="row">{METRIC_LABELS[metric]}</th>
              {modelSilent ? null : (
                <td data-promise>
                  about {formatMetric(metric, promised)}
                  {here}
                </td>
              )}
              <td data-measured>{summary ? formatMetric(metric, measured(summary, metric)) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {modelSilent === 'no-latency' ? (
        <p className="lesson-model-note" data-testid="model-silent">
          The model counts only added round-trip latency and CPU, and this step has neither: the time here is the
          database’s own work, which the model leaves out. Compare this run’s numbers with the other steps’ instead.
        </p>
      ) : modelSilent === 'long-poll' ? (
        <p className="lesson-model-note" data-testid="model-silent">
          The model times requests that each go to the database as soon as they can. A long poll waits for news instead,
          so its time is the hold and the fan-out after the publish: read the line under the loop (connections held,
          memory each, loop delay) and compare it with the other steps.
        </p>
      ) : null}
      {judged ? (
        <p className="lesson-verdict" data-verdict={judged.kind} data-testid="lesson-verdict">
          {verdictText(judged)}{' '}
          {judged.kind === 'busy' ? (
            <button type="button" className="link-button" onClick={onWatchRecording}>
              Watch the recorded run instead
            </button>
          ) : null}
        </p>
      ) : null}
    </>
  );
}
