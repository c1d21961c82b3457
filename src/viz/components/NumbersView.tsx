import { useMemo, memo } from 'react';
import type { LabConfig } from '../../../common/config';
import { PERCENTILE_DEFINITION } from '../../../common/percentile';
import { predict } from '../../trace/model';
import {
  batchDuration,
  latencies,
  latencyHistogram,
  latencyStats,
  measuredThroughput,
  sampleSeries,
  throughputSeries,
} from '../../trace/stats';
import type { TraceView } from '../../trace/store';
import { formatMs } from '../layout/timelineLayout';
import { Histogram } from './Histogram';
import { Sparkline } from './Sparkline';

const perSec = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}/s`;
const pct = (v: number) => `${Math.round(v * 100)}%`;
const count = (v: number) => String(Math.round(v));

/** Throughput, latency percentiles, loop delay, ELU and pool over time; the model beside the measured value. */
function NumbersViewDrawn({ view, t, config }: { view: TraceView; t: number; config: LabConfig }) {
  const data = useMemo(() => {
    const { trace } = view;
    if (!trace) return undefined;
    const lifecycles = trace.lifecycles;
    const sorted = latencies(lifecycles);
    const domain: [number, number] = [trace.startT, Math.max(trace.startT + 1, trace.endT)];
    const runConfig = trace.started?.config ?? config;
    const requests = Number(trace.started?.plan.requests ?? lifecycles.length);
    const concurrency = Number(trace.started?.plan.concurrency ?? requests);
    return {
      domain,
      stats: latencyStats(sorted),
      histogram: latencyHistogram(sorted),
      throughput: throughputSeries(lifecycles, domain[0], domain[1]),
      delay: sampleSeries(trace.samples, 'loopDelayMaxMs'),
      elu: sampleSeries(trace.samples, 'elu'),
      poolInUse: sampleSeries(trace.samples, 'poolInUse'),
      poolWaiting: sampleSeries(trace.samples, 'poolWaiting'),
      measured: { throughput: measuredThroughput(lifecycles), batchMs: batchDuration(lifecycles) },
      model: lifecycles.length > 0 ? predict(runConfig, { requests, concurrency }) : undefined,
      runConfig,
      // Blocking without executor threads: one call at a time on the thread, no pool to show.
      usesPool: runConfig.mode !== 'blocking' || runConfig.executorThreads > 0,
    };
  }, [view, config]);
  if (!data)
    return (
      <div className="numbers-view" data-testid="view-numbers">
        <p className="hint">Fire a run to see its numbers.</p>
      </div>
    );
  const { stats, model, measured } = data;
  const ratio = model && model.batchMs > 0 ? measured.batchMs / model.batchMs : undefined;
  return (
    <div className="numbers-view" data-testid="view-numbers">
      <dl className="big-numbers">
        <div>
          <dt>Throughput</dt>
          <dd data-testid="throughput">{perSec(measured.throughput)}</dd>
        </div>
        <div>
          <dt>Latency p50</dt>
          <dd>{formatMs(stats.p50)}</dd>
        </div>
        <div>
          <dt>p95</dt>
          <dd>{formatMs(stats.p95)}</dd>
        </div>
        <div>
          <dt>p99</dt>
          <dd>{formatMs(stats.p99)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{stats.count}</dd>
        </div>
      </dl>
      <p className="hint">
        Percentiles by {PERCENTILE_DEFINITION}: p99 is a latency some request really had (of ten requests, the slowest).
      </p>
      {view.trace?.started?.driver && (
        <p className="hint" data-testid="run-driver">
          Database driver: {view.trace.started.driver}.
        </p>
      )}
      {model && (
        <div className="model" data-testid="model-vs-measured">
          <h3>The model's prediction beside the measurement</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Quantity</th>
                <th scope="col">Model</th>
                <th scope="col">Measured</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Batch time</th>
                <td>{formatMs(model.batchMs)}</td>
                <td>{formatMs(measured.batchMs)}</td>
              </tr>
              <tr>
                <th scope="row">Throughput</th>
                <td>{perSec(model.throughputPerSec)}</td>
                <td>{perSec(measured.throughput)}</td>
              </tr>
            </tbody>
          </table>
          <p className="hint">
            {model.explanation}.{ratio !== undefined && ` Measured / model: ${ratio.toFixed(2)}.`}
          </p>
        </div>
      )}
      <div className="sparks">
        <Sparkline
          title="Throughput"
          unit="requests/s"
          points={data.throughput}
          domain={data.domain}
          cursor={t}
          format={perSec}
        />
        <Sparkline
          title="Event-loop delay"
          unit="ms"
          points={data.delay}
          domain={data.domain}
          cursor={t}
          format={formatMs}
        />
        <Sparkline
          title="Loop utilization"
          unit="% of the time busy"
          points={data.elu}
          domain={data.domain}
          cursor={t}
          format={pct}
          fixedMax={1}
        />
        {data.usesPool ? (
          <>
            <Sparkline
              title="Pool in use"
              unit="connections"
              points={data.poolInUse}
              domain={data.domain}
              cursor={t}
              format={count}
              fixedMax={Math.max(1, data.runConfig.poolSize)}
            />
            <Sparkline
              title="Waiting for the pool"
              unit="requests"
              points={data.poolWaiting}
              domain={data.domain}
              cursor={t}
              format={count}
            />
          </>
        ) : (
          <p className="spark no-pool" data-testid="no-pool">
            No pool in use: the blocking driver makes one database call at a time, on the thread, so nothing ever waits
            for a connection.
          </p>
        )}
      </div>
      <Histogram bins={data.histogram} />
    </div>
  );
}

/** Memoised: Stage renders again for its deferred views; unchanged props skip this one. */
export const NumbersView = memo(NumbersViewDrawn);
