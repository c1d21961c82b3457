/**
 * Samples the subject's loop every 25 ms while it serves requests (the contract asks for
 * <= 50 ms then, and <= 250 ms while it serves none): the largest event-loop delay since the
 * last sample, the loop's utilization, the pool and memory; and ships the tracer's batch
 * every 50 ms, from the same timer.
 * A blocked loop cannot run this timer; the sample after it unblocks carries the delay.
 *
 * Loop delay is measured by a heartbeat timer: how late it fires is how long a callback had
 * to wait. Each beat wakes a process that would otherwise sleep, and a wake-up costs far more
 * than the beat's own work (~0.15 ms of CPU on a busy machine), so:
 * - while a request is in flight the beat is 12.5 ms, two to a sample: a block is reported at
 *   its length less up to one beat (the time from its start to the beat due during it);
 * - while none is, the sampler rests: one beat per sample, the first 48 ms after the last
 *   busy sample (the run's tail, which the lab waits for, ships at once), then 96, 192 and
 *   from then on 240 ms apart (the contract: <= 50 ms while serving, <= 250 ms idle). An idle
 *   subject still reports, and a busy machine still shows as the late beats of an idle loop.
 *   Only these beats and the odd message run then, so there is little to be late behind; and
 *   a request that arrives calls `wake()` before its handler runs, so the 12.5 ms beat is back
 *   before the request can block the loop.
 * At 400 req/s autocannon sends each second's requests in one burst and the subject rests for
 * most of the second: a 12.5 ms beat all along cost 1.2x the CPU per request there, and a
 * rest beat every 48 ms about 1.09x. Nearly all of a rest beat's cost is the wake-up itself
 * (an idle subject, tracing on then off: ~6 ms of CPU a second for ~19 more wake-ups; with
 * the sample's own work left out, hardly less), so the lever is how many there are.
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
  /** Requests the process is serving (held long-polls included); while none is, the sampler rests. Absent: it never rests. */
  requestsInFlight?(): number;
}

export interface Sampler {
  /** A request arrived: beat every 12.5 ms again from now. Call it before the request's handler runs. */
  wake(): void;
  stop(): void;
}

/** The beat while a request is in flight; a sample is taken on the first beat at least 18.75 ms after the last. */
const BEAT_MS = 12.5;
/**
 * The first beat after the last request: one sample, a little under the contract's 50 ms
 * after the last, so that the time a sample takes to gather (an RSS read) never puts the
 * sample that describes a run's tail over 50 ms after it.
 */
const REST_MS = 48;
/** Resting longer, each beat waits twice as long as the last, up to this (the contract's idle 250 ms, less a sample's work). */
const IDLE_MS = 240;
/** The wait before the rest beat that follows `restBeats` rest beats: 48, 96, 192, then 240 ms. */
export const restMs = (restBeats: number): number => Math.min(IDLE_MS, REST_MS * 2 ** restBeats);
/**
 * Resting, a batch holds a sample or so and shipping it costs both processes about as much as
 * the wake-up: the first rest beat ships at once (a run's last samples, which the lab waits
 * for), then one at least this long after the last shipment (every beat, once they are 192 ms
 * apart or more).
 */
const REST_SHIP_MS = 4 * REST_MS;
/**
 * RSS is read from /proc (up to ~0.2 ms on a busy machine, most of a sample's cost) and moves
 * slowly, so it is refreshed every 10th sample. The heap figure costs ~5 µs a read (V8 walks
 * its spaces; 0.5 µs a request at 400 req/s, bench/tracingProfile.ts) and is refreshed every
 * 4th: 10 times a second while serving, for a figure no view draws finer.
 */
const RSS_EVERY = 10;
const HEAP_EVERY = 4;

const OFF: Sampler = { wake: () => undefined, stop: () => undefined };

export function startSampler(tracer: Tracer, gauges: Gauges, everyMs = 25, flushEveryMs = 50): Sampler {
  if (!tracer.enabled) return OFF;
  let maxLateMs = 0;
  let lastElu = performance.eventLoopUtilization();
  let rssBytes = process.memoryUsage.rss();
  let heapUsedBytes = getHeapStatistics().used_heap_size;
  let samples = 0;
  const sample = (): void => {
    // One reading a sample; the interval's utilization is the difference of two readings.
    const current = performance.eventLoopUtilization();
    const elu = performance.eventLoopUtilization(current, lastElu);
    lastElu = current;
    const longPollsWaiting = gauges.longPollsHeld?.() ?? 0;
    // While long-polls are held, their memory is the figure being measured: read it every sample.
    if (++samples % RSS_EVERY === 0 || longPollsWaiting > 0) rssBytes = process.memoryUsage.rss();
    if (samples % HEAP_EVERY === 0) heapUsedBytes = getHeapStatistics().used_heap_size;
    tracer.sample({
      loopDelayMaxMs: Math.max(0, maxLateMs),
      elu: Math.min(1, Math.max(0, elu.utilization)),
      poolInUse: Math.max(0, gauges.poolInUse()),
      poolWaiting: Math.max(0, gauges.poolWaiting()),
      dbInFlight: Math.max(0, gauges.dbInFlight()),
      longPollsWaiting,
      rssBytes,
      heapUsedBytes,
    });
    maxLateMs = 0;
  };

  /**
   * One timer does it all: every beat notes how late it is, a beat at least everyMs after the
   * last sample also samples (the first beat after a block, at once), and one at least
   * flushEveryMs after the last shipment ships the batch. Each timer of its own would wake an
   * idle process up on its own.
   */
  const half = BEAT_MS / 2;
  let sampledAt = performance.now();
  let flushedAt = sampledAt;
  let timer: NodeJS.Timeout | undefined;
  /** When the pending beat is due: how late it runs is the loop delay. */
  let dueAt = 0;
  let resting = false;
  /** Beats since the sampler began to rest (0: busy). */
  let restBeats = 0;
  let stopped = false;
  const next = (t: number, ms: number): void => {
    dueAt = t + ms;
    timer = setTimeout(heartbeat, ms);
    timer.unref();
  };
  const heartbeat = (): void => {
    const t = performance.now();
    maxLateMs = Math.max(maxLateMs, t - dueAt); // on a sampling beat, a block that ended just now is in this sample
    restBeats = resting ? restBeats + 1 : 0;
    if (t - sampledAt >= everyMs - half) {
      sampledAt = t;
      sample();
    }
    if (t - flushedAt >= (restBeats > 1 ? REST_SHIP_MS : flushEveryMs) - half) {
      flushedAt = t;
      tracer.flush();
    }
    resting = gauges.requestsInFlight?.() === 0;
    // Resting, the next beat is the next sample, due restMs after this last one (whole ms: one timer list).
    next(t, resting ? Math.max(BEAT_MS, Math.round(sampledAt + restMs(restBeats) - t)) : BEAT_MS);
  };
  next(sampledAt, BEAT_MS);

  return {
    wake() {
      if (!resting || stopped) return;
      clearTimeout(timer);
      const t = performance.now();
      // A rest beat already due (the loop was busy with something else) runs now: it samples if
      // a sample is due, and goes on at the busy pace since the request is in flight.
      if (t >= dueAt) {
        heartbeat();
        return;
      }
      resting = false;
      // The rest beat may have been due sooner than a busy beat: the samples stay <= 50 ms apart.
      next(t, Math.min(BEAT_MS, dueAt - t));
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
