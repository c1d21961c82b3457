import { PHASE_LABELS, type RequestLifecycle } from '../../trace/lifecycle';
import { requestName } from '../../trace/narrate';
import { formatMs } from '../layout/timelineLayout';

/** The hovered or focused request's events and phase durations, as text. */
export function RequestDetails({ life, origin }: { life: RequestLifecycle | undefined; origin: number }) {
  if (!life)
    return <p className="request-details hint">Hover or focus a request lane to see its events and durations.</p>;
  return (
    <div className="request-details" data-testid="request-details" aria-live="polite">
      <h3>
        {requestName(life)} {life.status !== undefined && `· HTTP ${life.status}`} {life.mode && `· ${life.mode}`}
        {life.worker !== undefined && ` · worker ${life.worker}`}
      </h3>
      <ul className="phase-list">
        {life.segments.map((s, i) => (
          <li key={i}>
            <span className={`key seg-${s.phase}${s.holdsLoop ? ' seg-holds' : ''}`}>{PHASE_LABELS[s.phase]}</span>{' '}
            {formatMs(s.end - s.start)}
            {s.holdsLoop && ' — the loop could do nothing else'}
          </li>
        ))}
      </ul>
      <details>
        <summary>{life.events.length} events</summary>
        <ol className="event-list">
          {life.events.map((e, i) => (
            <li key={i}>
              <code>{formatMs(e.t - origin)}</code> {e.type}
              {e.type === 'handler.step' && ` (${e.step})`}
              {e.type === 'db.call' && ` (${e.op} on ${e.collection})`}
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}
