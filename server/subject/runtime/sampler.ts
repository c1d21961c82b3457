/**
 * Samples the subject's loop every 25 ms (the contract asks for <= 50 ms): the largest
 * event-loop delay since the last sample, the loop's utilization, the pool and memory; and
 * ships the tracer's batch every 50 ms, from the same timer.
 * A blocked loop cannot run this timer; the sample after it unblocks carries the delay.
 *
 * Loop delay is how late a 5 ms heartbeat fires: how long a callback had to wait. The
 * heartbeat is perf_hooks' monitorEventLoopDelay, a timer in native code: it wakes the
 * process 200 times a second without entering JavaScript, about half the CPU of a 5 ms
 * setInterval (20 against 10 ms of CPU a second, idle, on the 2-core machine), and the only
 * JavaScript timer left is this 25 ms one. The sample itself is taken in the check phase
 * (setImmediate) after the timer: after a block both timers are overdue and run in the same
 * timers phase, so the heartbeat has recorded the block before the sample reads and resets
 * it. (Read in the timer callback itself, a sample could run before the heartbeat and report
 * the block one sample late.)
 */
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Tracer } from './tracer';

export interface Gauges {
  poolInUse(): number;
  poolWaiting(): number;
  dbInFlight(): number;
  /** The most long-polls held at once since the last call (updates/heldCount.ts); the process's, not a mode's. */
  longPollsHeld?(): number;
}

const BEAT_MS = 5;
/**
 * RSS is read from /proc (up to ~0.2 ms on a busy machine, most of a sample's cost) and moves
 * slowly, so it is refreshed every 10th sample (250 ms); the heap figure is cheap and read every time.
 */
const RSS_EVERY = 10;

export function startSampler(tracer: Tracer, gauges: Gauges, everyMs = 25, flushEveryMs = 50): () => void {
  if (!tracer.enabled) return () => undefined;
  const heartbeat: IntervalHistogram = monitorEventLoopDelay({ resolution: BEAT_MS });
  heartbeat.enable();

  let lastElu = performance.eventLoopUtilization();
  let rssBytes = process.memoryUsage.rss();
  let samples = 0;
  let flushedAt = performance.now();
  let stopped = false;
  const sample = (): void => {
    if (stopped) return;
    // The histogram holds each beat's full interval (ns): how late it came is what exceeds the 5 ms.
    const loopDelayMaxMs = heartbeat.count > 0 ? heartbeat.max / 1e6 - BEAT_MS : 0;
    heartbeat.reset();
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    const longPollsWaiting = gauges.longPollsHeld?.() ?? 0;
    // While long-polls are held, their memory is the figure being measured: read it every sample.
    if (++samples % RSS_EVERY === 0 || longPollsWaiting > 0) rssBytes = process.memoryUsage.rss();
    tracer.sample({
      loopDelayMaxMs: Math.max(0, loopDelayMaxMs),
      elu: Math.min(1, Math.max(0, elu.utilization)),
      poolInUse: Math.max(0, gauges.poolInUse()),
      poolWaiting: Math.max(0, gauges.poolWaiting()),
      dbInFlight: Math.max(0, gauges.dbInFlight()),
      longPollsWaiting,
      rssBytes,
      heapUsedBytes: getHeapStatistics().used_heap_size,
    });
    const t = performance.now();
    // Every other sample ships the batch (a beat early counts: the timers drift by a ms or so).
    if (t - flushedAt >= flushEveryMs - everyMs / 2) {
      flushedAt = t;
      tracer.flush();
    }
  };

  /** One JavaScript timer does it all: it samples, and every flushEveryMs it also ships. */
  const timer = setInterval(() => setImmediate(sample), everyMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
    heartbeat.disable();
  };
}
