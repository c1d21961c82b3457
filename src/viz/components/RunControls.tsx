import { useSelector } from '@xstate/react';
import { useState } from 'react';
import type { RunSummary } from '../../../common/api';
import { OPEN_LOOP_MAX_IN_FLIGHT, ROUTES, RUN_BOUNDS, type RouteName } from '../../../common/knobs';
import { api } from '../../api/client';
import { useLab } from '../../lab/LabContext';
import { fireBlockedReason } from '../../machines/configMachine';

export interface RunPlanDraft {
  requests: number;
  concurrency: number;
  route: RouteName;
}

const clamp = (value: number, { min, max }: { min: number; max: number }) =>
  Math.min(max, Math.max(min, Math.round(Number.isFinite(value) ? value : min)));

/**
 * The run's state in words. An open-loop run says how many arrivals were never sent (the
 * generator holds at most 1,000 in flight) and a sampled trace says so: the numbers count
 * every request, the picture only some.
 */
export function runStateText(state: string, summary: RunSummary | undefined, message: string | undefined): string {
  switch (state) {
    case 'idle':
      return 'No run yet.';
    case 'starting':
      return 'Starting the run…';
    case 'running':
      return `Running… ${summary ? `${summary.completed} done` : ''}`;
    case 'failed':
      return `Failed: ${message ?? 'unknown error'}`;
    case 'done': {
      if (!summary) return '';
      const parts = [`Done: ${summary.completed} requests in ${Math.round(summary.durationMs)} ms.`];
      if (summary.notSent)
        parts.push(
          `${summary.notSent.toLocaleString('en')} not sent: the generator was saturated (at most ${OPEN_LOOP_MAX_IN_FLIGHT.toLocaleString('en')} in flight).`,
        );
      if (summary.tracedOneIn)
        parts.push(`The trace keeps 1 request in ${summary.tracedOneIn}; the numbers count them all.`);
      return parts.join(' ');
    }
    default:
      return '';
  }
}

/** "Send one request" and "Fire N", with the run's state in words. */
export function RunControls({ plan, setPlan }: { plan: RunPlanDraft; setPlan: (plan: RunPlanDraft) => void }) {
  const { run, config } = useLab();
  // The lab refuses a run while a config change is applied: say why here instead of a 409.
  const blocked = useSelector(config, (s) => fireBlockedReason(s.context, s.matches('pending')));
  const state = useSelector(run, (s) => String(s.value));
  const message = useSelector(run, (s) => s.context.message);
  const summary = useSelector(run, (s) => s.context.summary);
  const databaseUp = useSelector(run, (s) => s.context.databaseUp);
  const [oneResult, setOneResult] = useState<string>();
  const fire = () => run.send({ type: 'run.fire', plan });
  const sendOne = async () => {
    setOneResult('sending…');
    try {
      setOneResult(`answered ${await api.sendOne()}`);
    } catch {
      setOneResult('no answer: is the lab running?');
    }
  };
  return (
    <section className="panel run-controls" aria-labelledby="run-title">
      <h2 id="run-title">Requests</h2>
      <div className="run-inputs">
        <label>
          Requests
          <input
            type="number"
            min={RUN_BOUNDS.requests.min}
            max={RUN_BOUNDS.requests.max}
            value={plan.requests}
            data-testid="run-requests"
            onChange={(e) => setPlan({ ...plan, requests: clamp(Number(e.target.value), RUN_BOUNDS.requests) })}
          />
        </label>
        <label>
          At once
          <input
            type="number"
            min={RUN_BOUNDS.concurrency.min}
            max={RUN_BOUNDS.concurrency.max}
            value={plan.concurrency}
            data-testid="run-concurrency"
            onChange={(e) => setPlan({ ...plan, concurrency: clamp(Number(e.target.value), RUN_BOUNDS.concurrency) })}
          />
        </label>
        <label>
          Route
          <select value={plan.route} onChange={(e) => setPlan({ ...plan, route: e.target.value as RouteName })}>
            {ROUTES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div className="run-buttons">
        <button
          type="button"
          className="primary"
          data-testid="fire"
          onClick={fire}
          disabled={state === 'starting' || state === 'running' || blocked !== undefined}
          title={blocked}
          aria-describedby={blocked ? 'fire-blocked' : undefined}
        >
          Fire {plan.requests} <kbd>f</kbd>
        </button>
        <button type="button" data-testid="send-one" onClick={() => void sendOne()}>
          Send one request <kbd>o</kbd>
        </button>
      </div>
      {blocked && (
        <p className="hint" id="fire-blocked" role="status" data-testid="fire-blocked">
          {blocked}
        </p>
      )}
      <p className={`run-state run-${state}`} role="status" data-testid="run-state" data-state={state}>
        {runStateText(state, summary, message)}
      </p>
      {!databaseUp && (
        <p className="warning" role="alert">
          The database is down: requests answer 503 until it is back.
        </p>
      )}
      {oneResult && (
        <p className="hint" aria-live="polite">
          One request: {oneResult}
        </p>
      )}
    </section>
  );
}
