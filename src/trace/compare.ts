/**
 * Picks the two runs the compare view puts side by side, and the shared scale both are
 * drawn on. Pure. Two ways to pair them:
 * - by mode: the newest blocking run beside the newest non-blocking run (either runtime);
 * - by runtime: the newest Node run beside the newest Tornado run (either mode).
 * Each side is labelled with the runtime and the driver that served it (run.started.driver).
 */
import type { Mode, Runtime } from '../../common/config';
import { batchDuration, latencies } from './stats';
import type { RunTrace } from './store';

export type CompareBy = 'mode' | 'runtime';

export const MODE_TITLES: Record<Mode, string> = { blocking: 'Blocking', nonblocking: 'Non-blocking' };
export const RUNTIME_TITLES: Record<Runtime, string> = { node: 'Node', tornado: 'Tornado' };

export function modeOf(run: RunTrace): Mode | undefined {
  return run.started?.config.mode ?? run.lifecycles.find((l) => l.mode)?.mode;
}

/** The runtime that served a run; traces from before the runtime knob are Node's. */
export function runtimeOf(run: RunTrace): Runtime {
  return run.started?.config.runtime ?? 'node';
}

function newestBy<K extends string>(
  runs: readonly RunTrace[],
  keyOf: (run: RunTrace) => K | undefined,
): Partial<Record<K, RunTrace>> {
  const out: Partial<Record<K, RunTrace>> = {};
  for (const run of runs) {
    const key = keyOf(run);
    if (!key || run.lifecycles.length === 0) continue;
    const current = out[key];
    if (!current || run.startT > current.startT) out[key] = run;
  }
  return out;
}

export function lastRunsByMode(runs: readonly RunTrace[]): Partial<Record<Mode, RunTrace>> {
  return newestBy(runs, modeOf);
}

export function lastRunsByRuntime(runs: readonly RunTrace[]): Partial<Record<Runtime, RunTrace>> {
  return newestBy(runs, runtimeOf);
}

/** "Tornado · pymongo 3.11.0, blocking": who served the run, for a side's label. */
export function servedBy(run: RunTrace): string {
  const runtime = RUNTIME_TITLES[runtimeOf(run)];
  const driver = run.started?.driver;
  if (driver) return `${runtime} · ${driver}`;
  const mode = modeOf(run);
  return mode ? `${runtime} · ${MODE_TITLES[mode].toLowerCase()}` : runtime;
}

export interface CompareSide {
  /** 'blocking' | 'nonblocking' | 'node' | 'tornado': the side's class and test id. */
  key: Mode | Runtime;
  title: string;
  run?: RunTrace;
  /** Shown when the side has no run yet. */
  missing: string;
}

export function compareSides(runs: readonly RunTrace[], by: CompareBy): [CompareSide, CompareSide] {
  if (by === 'runtime') {
    const newest = lastRunsByRuntime(runs);
    return (['node', 'tornado'] as const).map((runtime) => ({
      key: runtime,
      title: RUNTIME_TITLES[runtime],
      run: newest[runtime],
      missing: `No ${RUNTIME_TITLES[runtime]} run yet: switch the runtime and fire one.`,
    })) as [CompareSide, CompareSide];
  }
  const newest = lastRunsByMode(runs);
  return (['blocking', 'nonblocking'] as const).map((mode) => ({
    key: mode,
    title: MODE_TITLES[mode],
    run: newest[mode],
    missing: `No ${MODE_TITLES[mode].toLowerCase()} run yet: switch the mode and fire one.`,
  })) as [CompareSide, CompareSide];
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
