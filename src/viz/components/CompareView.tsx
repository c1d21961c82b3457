import { useMemo } from 'react';
import type { Mode } from '../../../common/config';
import { lastRunsByMode, sharedScale } from '../../trace/compare';
import { batchDuration, latencies, latencyHistogram, latencyStats } from '../../trace/stats';
import type { RunTrace, TraceStore } from '../../trace/store';
import { formatMs } from '../layout/timelineLayout';
import { Histogram } from './Histogram';

const TITLES: Record<Mode, string> = { blocking: 'Blocking', nonblocking: 'Non-blocking' };

/** One run's requests as thin bars on the shared time scale. */
function MiniTimeline({ run, durationMs }: { run: RunTrace; durationMs: number }) {
  const width = 400;
  const lanes = run.lifecycles.slice(0, 100);
  const laneHeight = Math.max(2, Math.min(10, 160 / Math.max(1, lanes.length)));
  const origin = Math.min(...lanes.map((l) => l.sentAt));
  const x = (t: number) => ((t - origin) / durationMs) * width;
  return (
    <svg viewBox={`0 0 ${width} ${lanes.length * laneHeight + 2}`} width="100%" role="img" aria-label={`${lanes.length} requests over ${formatMs(batchDuration(run.lifecycles))}`}>
      {lanes.map((life, i) =>
        life.segments.map((s, j) =>
          Number.isFinite(s.end) ? (
            <rect key={`${i}-${j}`} x={x(s.start)} y={i * laneHeight} width={Math.max(0.5, x(s.end) - x(s.start))} height={laneHeight - 1}
              className={`seg seg-${s.phase}${s.holdsLoop ? ' seg-holds' : ''}`} />
          ) : null,
        ),
      )}
    </svg>
  );
}

/** The last blocking and non-blocking runs side by side, on the same scales. */
export function CompareView({ store, version }: { store: TraceStore; version: number | string }) {
  const runs = useMemo(() => lastRunsByMode(store.runIds().map((id) => store.run(id)!)), [store, version]); // eslint-disable-line react-hooks/exhaustive-deps
  const scale = useMemo(() => sharedScale([runs.blocking, runs.nonblocking]), [runs]);
  return (
    <div className="compare-view" data-testid="view-compare">
      {(['blocking', 'nonblocking'] as const).map((mode) => {
        const run = runs[mode];
        const sorted = run ? latencies(run.lifecycles) : [];
        const stats = latencyStats(sorted);
        return (
          <section key={mode} className={`compare-side compare-${mode}`} aria-labelledby={`compare-${mode}`}>
            <h3 id={`compare-${mode}`}>
              {TITLES[mode]}
              {run?.started?.config.runtime === 'tornado' ? ' · Tornado' : run ? ' · Node' : ''}
            </h3>
            {run ? (
              <>
                <p>
                  {run.lifecycles.length} requests in <strong>{formatMs(batchDuration(run.lifecycles))}</strong> · p50 {formatMs(stats.p50)} · p99 {formatMs(stats.p99)}
                </p>
                <MiniTimeline run={run} durationMs={scale.durationMs} />
                <Histogram bins={latencyHistogram(sorted)} maxX={scale.maxLatencyMs} title={`${TITLES[mode]} latency`} />
              </>
            ) : (
              <p className="hint">No {TITLES[mode].toLowerCase()} run yet: switch the mode and fire one.</p>
            )}
          </section>
        );
      })}
    </div>
  );
}
