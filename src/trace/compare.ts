/**
 * Picks the newest blocking and the newest non-blocking run for the compare view, and
 * the shared scale both are drawn on. Pure.
 */
import type { Mode } from '../../common/config';
import { batchDuration, latencies } from './stats';
import type { RunTrace } from './store';

export function modeOf(run: RunTrace): Mode | undefined {
  return run.started?.config.mode ?? run.lifecycles.find((l) => l.mode)?.mode;
}

export function lastRunsByMode(runs: readonly RunTrace[]): Partial<Record<Mode, RunTrace>> {
  const out: Partial<Record<Mode, RunTrace>> = {};
  for (const run of runs) {
    const mode = modeOf(run);
    if (!mode || run.lifecycles.length === 0) continue;
    const current = out[mode];
    if (!current || run.startT > current.startT) out[mode] = run;
  }
  return out;
}

/** One duration and one latency range for both sides, so the picture compares honestly. */
export function sharedScale(runs: ReadonlyArray<RunTrace | undefined>): { durationMs: number; maxLatencyMs: number } {
  let durationMs = 1;
  let maxLatencyMs = 1;
  for (const run of runs) {
    if (!run) continue;
    durationMs = Math.max(durationMs, batchDuration(run.lifecycles));
    maxLatencyMs = Math.max(maxLatencyMs, latencies(run.lifecycles).at(-1) ?? 0);
  }
  return { durationMs, maxLatencyMs };
}
