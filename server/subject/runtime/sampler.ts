/**
 * Samples the subject's loop every 25 ms (the contract asks for <= 50 ms): the largest
 * event-loop delay since the last sample, the loop's utilization, the pool and memory; and
 * ships the tracer's batch every 50 ms, from the same timer.
 * A blocked loop cannot run this timer; the sample after it unblocks carries the delay.
 *
 * Loop delay is measured by a heartbeat timer every 12.5 ms: how late it fires is how long a
 * callback had to wait. A block is reported at its length less up to one beat (the time from
 * its start to the beat that came due during it). The beat was 5 ms; but each beat wakes a
 * process that would otherwise sleep, and a wake-up costs far more than the beat's own work
 * (an idle process spent ~20 ms of CPU a second on 200 beats; at 400 req/s tracing cost 1.2x
 * the CPU per request, most of it these wake-ups), so the beat is as long as the lab's
 * figures allow: 80 a second, two to a sample.
 * perf_hooks' monitorEventLoopDelay is no cheaper here: its native timer wakes the process
 * too, its timer is separate from ours (after a block in a timer callback ours may run first,
 * and the block lands in the next sample), and resetting its histogram for each sample drops
 * the interval under way, so a block that starts just after a sample is never recorded.
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Tracer } from './tracer';

export interface Gauges {
  poolInUse(): number;
  poolWaiting(): number;
  dbInFlight(): number;
  /** The most long-polls held at once since the last call (updates/heldCount.ts); the process's, not a mode's. */
  longPollsHeld?(): number;
}

/** Two beats to a sample (25 ms); a sample is taken on the first beat at least 18.75 ms after the last. */
const BEAT_MS = 12.5;
/**
 * RSS is read from /proc (up to ~0.2 ms on a busy machine, most of a sample's cost) and moves
 * slowly, so it is refreshed every 10th sample (250 ms); the heap figure is cheap and read every time.
 */
const RSS_EVERY = 10;

export function startSampler(tracer: Tracer, gauges: Gauges, everyMs = 25, flushEveryMs = 50): () => void {
  if (!tracer.enabled) return () => undefined;
  let maxLateMs = 0;
  let lastBeat = performance.now();
  /** Records how late the heartbeat is now, and restarts the count from here. */
  const beat = (): void => {
    const t = performance.now();
    maxLateMs = Math.max(maxLateMs, t - lastBeat - BEAT_MS);
    lastBeat = t;
  };

  let lastElu = performance.eventLoopUtilization();
  let rssBytes = process.memoryUsage.rss();
  let samples = 0;
  const sample = (): void => {
    const elu = performance.eventLoopUtilization(lastElu);
    lastElu = performance.eventLoopUtilization();
    const longPollsWaiting = gauges.longPollsHeld?.() ?? 0;
    // While long-polls are held, their memory is the figure being measured: read it every sample.
    if (++samples % RSS_EVERY === 0 || longPollsWaiting > 0) rssBytes = process.memoryUsage.rss();
    tracer.sample({
      loopDelayMaxMs: Math.max(0, maxLateMs),
      elu: Math.min(1, Math.max(0, elu.utilization)),
      poolInUse: Math.max(0, gauges.poolInUse()),
      poolWaiting: Math.max(0, gauges.poolWaiting()),
      dbInFlight: Math.max(0, gauges.dbInFlight()),
      longPollsWaiting,
      rssBytes,
      heapUsedBytes: getHeapStatistics().used_heap_size,
    });
    maxLateMs = 0;
  };

  /**
   * One timer does it all, on the heartbeat: every beat notes the loop delay, a beat at least
   * everyMs after the last sample also samples (the first beat after a block, at once), and
   * one at least flushEveryMs after the last shipment ships the batch. Each timer of its own
   * would wake an idle process up on its own: three timers cost the subject ~260 wake-ups a
   * second with a 5 ms beat; this one costs 80 (a wake-up is ~0.1 ms of CPU on a busy machine).
   */
  const half = BEAT_MS / 2;
  let sampledAt = lastBeat;
  let flushedAt = lastBeat;
  const heartbeat = setInterval(() => {
    beat(); // on a sampling beat, a block that ended just now is counted in this sample
    if (lastBeat - sampledAt >= everyMs - half) {
      sampledAt = lastBeat;
      sample();
    }
    if (lastBeat - flushedAt >= flushEveryMs - half) {
      flushedAt = lastBeat;
      tracer.flush();
    }
  }, BEAT_MS);
  heartbeat.unref();
  return () => clearInterval(heartbeat);
}
