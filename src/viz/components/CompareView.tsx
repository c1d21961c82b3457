import { useMemo, useState } from 'react';
import { type CompareBy, compareSides, servedBy, sharedScale } from '../../trace/compare';
import { batchDuration, latencies, latencyHistogram, latencyStats } from '../../trace/stats';
import type { RunTrace, StoreView } from '../../trace/store';
import { formatMs } from '../layout/timelineLayout';
import { Histogram } from './Histogram';

/** One run's requests as thin bars on the shared time scale. */
function MiniTimeline({ run, durationMs }: { run: RunTrace; durationMs: number }) {
  const width = 400;
  const lanes = run.lifecycles.slice(0, 100);
  const laneHeight = Math.max(2, Math.min(10, 160 / Math.max(1, lanes.length)));
  const origin = Math.min(...lanes.map((l) => l.sentAt));
  const x = (t: number) => ((t - origin) / durationMs) * width;
  return (
    <svg
      viewBox={`0 0 ${width} ${lanes.length * laneHeight + 2}`}
      width="100%"
      role="img"
      aria-label={`${lanes.length} requests over ${formatMs(batchDuration(run.lifecycles))}`}
    >
      {lanes.map((life, i) =>
        life.segments.map((s, j) =>
          Number.isFinite(s.end) ? (
            <rect
              key={`${i}-${j}`}
              x={x(s.start)}
              y={i * laneHeight}
              width={Math.max(0.5, x(s.end) - x(s.start))}
              height={laneHeight - 1}
              className={`seg seg-${s.phase}${s.holdsLoop ? ' seg-holds' : ''}`}
            />
          ) : null,
        ),
      )}
    </svg>
  );
}

const PAIRINGS: { by: CompareBy; label: string }[] = [
  { by: 'mode', label: 'Blocking vs non-blocking' },
  { by: 'runtime', label: 'Node vs Tornado' },
];

/**
 * Two runs side by side, on the same scales: the last blocking and non-blocking runs, or
 * the last Node and Tornado runs. Each side says which runtime and driver served it.
 */
export function CompareView({ runs, initialBy = 'mode' }: { runs: StoreView; initialBy?: CompareBy }) {
  const [by, setBy] = useState<CompareBy>(initialBy);
  const sides = useMemo(
    () =>
      compareSides(
        [...runs.runs.values()].map((view) => view.trace),
        by,
      ),
    [runs, by],
  );
  const scale = useMemo(() => sharedScale(sides.map((side) => side.run)), [sides]);
  return (
    <div className="compare" data-testid="view-compare">
      <div className="compare-by" role="group" aria-label="Compare">
        {PAIRINGS.map((pairing) => (
          <button
            key={pairing.by}
            type="button"
            aria-pressed={by === pairing.by}
            onClick={() => setBy(pairing.by)}
            data-testid={`compare-by-${pairing.by}`}
          >
            {pairing.label}
          </button>
        ))}
      </div>
      <div className="compare-view">
        {sides.map(({ key, title, run, missing }) => {
          const sorted = run ? latencies(run.lifecycles) : [];
          const stats = latencyStats(sorted);
          return (
            <section
              key={key}
              className={`compare-side compare-${key}`}
              aria-labelledby={`compare-${key}`}
              data-testid={`compare-${key}`}
            >
              <h3 id={`compare-${key}`}>{title}</h3>
              {run ? (
                <>
                  <p className="compare-served-by" data-testid={`compare-served-by-${key}`}>
                    {servedBy(run)}
                  </p>
                  <p>
                    {run.lifecycles.length} requests in <strong>{formatMs(batchDuration(run.lifecycles))}</strong> · p50{' '}
                    {formatMs(stats.p50)} · p99 {formatMs(stats.p99)}
                  </p>
                  <MiniTimeline run={run} durationMs={scale.durationMs} />
                  <Histogram bins={latencyHistogram(sorted)} maxX={scale.maxLatencyMs} title={`${title} latency`} />
                </>
              ) : (
                <p className="hint">{missing}</p>
              )}
            </section>
          );
        })}
      </div>
    </div>
  );
}
