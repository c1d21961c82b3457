/**
 * The lab's model: what an experiment should show if nothing but the knobs mattered.
 * Lessons promise numbers (`expect`), the tests check those against this model, and the
 * player shows the model beside the measured run, so the text, the model and the lab
 * can be compared (lesson 10 is about exactly that).
 *
 * It replays a closed-loop run request by request. Each subject process (worker) has one
 * loop, taken first come first served; requests reach workers round robin.
 * - blocking, no executor: the loop is held for cpuMs plus the whole database round trip.
 * - non-blocking, or blocking with executor threads: the loop is held for cpuMs only;
 *   the round trip then needs a free lane (a pool connection, or a thread that also needs
 *   a connection) and takes dbLatencyMs off the loop.
 * HTTP, parsing and tracing costs are left out: the lab runs a little slower than this
 * (on the shared two-core development machine, 10-30 % slower in blocking mode).
 */
import type { LabConfig, LabConfigPatch } from '../../common/config';
import { DEFAULT_CONFIG } from '../../common/knobs';
import type { ExpectMetric } from '../../common/lesson';
import { percentile } from '../../common/percentile';

export interface ClosedRun {
  requests: number;
  concurrency: number;
}

export type Prediction = Record<ExpectMetric, number>;

/** An experiment's full config: knobs it does not name take their defaults, so every run starts from the same place. */
export function presetConfig(patch: LabConfigPatch): LabConfig {
  return { ...DEFAULT_CONFIG, ...patch };
}

/** Requests above this are predicted from the first MAX_SIMULATED (the model is linear past warm-up). */
const MAX_SIMULATED = 20_000;

/** The index of the slot (client, lane) that is free first. */
function earliest(freeAt: number[]): number {
  let best = 0;
  for (let i = 1; i < freeAt.length; i++) if ((freeAt[i] ?? 0) < (freeAt[best] ?? 0)) best = i;
  return best;
}

/** Takes the earliest-free lane at or after `at` for `hold` ms; returns when it started. */
function takeLane(freeAt: number[], at: number, hold: number): number {
  const lane = earliest(freeAt);
  const start = Math.max(at, freeAt[lane] ?? 0);
  freeAt[lane] = start + hold;
  return start;
}

export function predict(config: LabConfig, run: ClosedRun): Prediction {
  const n = Math.min(run.requests, MAX_SIMULATED);
  const slots = Math.min(run.concurrency, n);
  const { dbLatencyMs: db, cpuMs: cpu, workers } = config;
  const holdsLoop = config.mode === 'blocking' && config.executorThreads === 0;
  const lanesPerWorker = holdsLoop
    ? 1
    : config.mode === 'blocking'
      ? Math.min(config.executorThreads, config.poolSize)
      : config.poolSize;

  const loopFreeAt = Array.from({ length: workers }, () => 0);
  // The current unbroken stretch of loop work per worker: a timer due at its start fires at its end.
  const busySince = Array.from({ length: workers }, () => 0);
  let longestBusy = 0;
  const lanes = Array.from({ length: workers }, () => Array.from({ length: lanesPerWorker }, () => 0));
  // Closed loop: each of `slots` clients sends its next request when the last one answers.
  const clientFreeAt = Array.from({ length: slots }, () => 0);
  const latencies: number[] = [];
  let end = 0;

  for (let k = 0; k < n; k++) {
    // The next request is sent by whichever client is free first (requests go out in time order).
    const client = earliest(clientFreeAt);
    const sent = clientFreeAt[client] ?? 0;
    const w = k % workers;
    const onLoop = Math.max(sent, loopFreeAt[w] ?? 0);
    if (sent > (loopFreeAt[w] ?? 0)) busySince[w] = onLoop; // the loop was idle: a new stretch
    let done: number;
    if (holdsLoop) {
      done = onLoop + cpu + db;
      loopFreeAt[w] = done;
    } else {
      loopFreeAt[w] = onLoop + cpu;
      const dbStart = takeLane(lanes[w] ?? [], onLoop + cpu, db);
      done = dbStart + db;
    }
    clientFreeAt[client] = done; // busy until its answer arrives
    longestBusy = Math.max(longestBusy, (loopFreeAt[w] ?? 0) - (busySince[w] ?? 0));
    latencies.push(done - sent);
    end = Math.max(end, done);
  }

  const scale = run.requests / n;
  const durationMs = end * scale;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    durationMs,
    latencyMaxMs: percentile(sorted, 1),
    latencyP50Ms: percentile(sorted, 0.5),
    throughputPerSec: durationMs > 0 ? (run.requests / durationMs) * 1000 : 0,
    // Requests that arrive while the loop is held can be handled back to back when it frees,
    // so a timer may wait for the whole unbroken stretch: an upper bound (Node often gets a
    // timer in between two queued requests, and then the lab measures about one hold).
    loopDelayMaxMs: longestBusy * scale,
  };
}
