/**
 * Lesson promises from the model and this machine's calibration, and the verdict on a run:
 * as promised, missed, or "this machine is too busy right now". Pure.
 */
import type { LabConfig } from '../../common/config';
import { EXPECT_METRICS, type ExpectMetric, type Experiment } from '../../common/lesson';
import type { Calibration } from '../machines/calibrationMachine';
import { predict, presetConfig } from './model';

/** An idle subject whose loop is this late is on a machine too busy to show a lesson's effect. */
export const BUSY_IDLE_DELAY_MS = 20;
/** A run this many times off its promise (either way) missed it. */
export const MISS_RATIO = 1.5;

/** The experiment's config as it behaves here: every round trip costs the measured base on top. */
export function configHere(experiment: Experiment, calibration: Calibration | undefined): LabConfig {
  const config = presetConfig(experiment.config);
  const base = calibration?.baseRoundTripMs ?? 0;
  return { ...config, dbLatencyMs: config.dbLatencyMs + base };
}

/** What the model promises for one metric on this machine. */
export function promiseHere(
  experiment: Experiment,
  metric: ExpectMetric,
  calibration: Calibration | undefined,
): number {
  return predict(configHere(experiment, calibration), experiment.run)[metric];
}

export type Verdict =
  | { kind: 'as-promised'; ratio: number }
  | { kind: 'missed'; ratio: number }
  | { kind: 'busy'; ratio: number; idleLoopDelayMs: number };

/** Measured over promised, as "how far off": throughput is better when higher. */
function offBy(metric: ExpectMetric, promised: number, measured: number): number {
  if (promised <= 0 || measured <= 0) return 1;
  return metric === 'throughputPerSec' ? promised / measured : measured / promised;
}

export function verdict(
  metric: ExpectMetric,
  promised: number,
  measured: number,
  calibration: Calibration | undefined,
): Verdict {
  const ratio = offBy(metric, promised, measured);
  const idle = calibration?.idleLoopDelayMs;
  const missed = ratio > MISS_RATIO || ratio < 1 / MISS_RATIO;
  if (missed && idle !== undefined && idle > BUSY_IDLE_DELAY_MS) return { kind: 'busy', ratio, idleLoopDelayMs: idle };
  return missed ? { kind: 'missed', ratio } : { kind: 'as-promised', ratio };
}

/** Before a run: is the machine already too busy? */
export const tooBusy = (calibration: Calibration | undefined) =>
  calibration?.idleLoopDelayMs !== undefined && calibration.idleLoopDelayMs > BUSY_IDLE_DELAY_MS;

/**
 * The rows a step's table shows: its promised metric (or the first three), with the model's
 * promise here. When the model predicts 0 for all of them (a step about the database's own
 * work, which the model leaves out), or the run is a long poll, which it does not model, it is
 * silent (and says why), and the table shows measurements only.
 */
export function promiseRows(experiment: Experiment, calibration: Calibration | undefined) {
  const candidates = experiment.expect ? [experiment.expect.metric] : EXPECT_METRICS.slice(0, 3);
  const all = candidates.map((metric) => ({ metric, promised: promiseHere(experiment, metric, calibration) }));
  // The model is of requests that each make their round trip as soon as they can. A long poll
  // waits for news instead: its time is the hold and the fan-out, and the model's figure for
  // 10,000 of them (each a round trip through the pool) was two minutes for a run of ten seconds.
  if (experiment.run.route === 'longPoll') return { rows: all, modelSilent: 'long-poll' as const };
  const promising = all.filter((row) => row.promised > 0);
  return {
    rows: promising.length ? promising : all,
    modelSilent: promising.length === 0 ? ('no-latency' as const) : false,
  };
}
