/**
 * Samples the subject's loop every 25 ms (the contract asks for <= 50 ms): the largest
 * event-loop delay since the last sample, the loop's utilization, the pool and memory.
 * A blocked loop cannot run this timer; the sample after it unblocks carries the delay.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Tracer } from './tracer';

export interface Gauges {
  poolInUse(): number;
  poolWaiting(): number;
  dbInFlight(): number;
}

export function startSampler(tracer: Tracer, gauges: Gauges, everyMs = 25): () => void {
  if (!tracer.enabled) return () => undefined;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let lastElu = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    const memory = process.memoryUsage();
    tracer.sample({
      // The histogram is in nanoseconds; it has no max until a delay was recorded.
      loopDelayMaxMs: delay.count > 0 ? delay.max / 1e6 : 0,
      elu: Math.min(1, Math.max(0, elu.utilization)),
      poolInUse: Math.max(0, gauges.poolInUse()),
      poolWaiting: Math.max(0, gauges.poolWaiting()),
      dbInFlight: Math.max(0, gauges.dbInFlight()),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
    });
    delay.reset();
  }, everyMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}
