/**
 * Measures this machine's base round trip: a few requests sent one at a time through the
 * lab to the subject, timed from here; their median minus what the config itself costs
 * (database latency, CPU) is what every round trip costs on top on this machine.
 */
import type { LabConfig } from '../../common/config';
import type { TraceEventOf } from '../../common/trace';
import type { Calibration } from '../machines/calibrationMachine';

export const CALIBRATION_REQUESTS = 5;
/** Idle samples this recent describe the machine as it is now. */
export const IDLE_WINDOW_MS = 3000;

export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The subject's worst loop delay over the recent idle samples; undefined when there are none. */
export function idleLoopDelay(samples: readonly TraceEventOf<'sample'>[], now: number): number | undefined {
  const recent = samples.filter((s) => s.t >= now - IDLE_WINDOW_MS);
  return recent.length ? Math.max(...recent.map((s) => s.loopDelayMaxMs)) : undefined;
}

export interface MeasureDeps {
  /** Sends one request and answers its HTTP status. */
  send: () => Promise<number>;
  config: () => LabConfig;
  /** The recent idle loop delay, read before the requests load the loop. */
  idleDelay: () => number | undefined;
  now: () => number;
}

export async function measureBaseRoundTrip(deps: MeasureDeps): Promise<Calibration> {
  const idleLoopDelayMs = deps.idleDelay();
  const times: number[] = [];
  for (let i = 0; i < CALIBRATION_REQUESTS; i += 1) {
    const started = deps.now();
    const status = await deps.send();
    if (status >= 400) throw new Error(`the subject answered ${status}`);
    times.push(deps.now() - started);
  }
  const { dbLatencyMs, cpuMs } = deps.config();
  return {
    baseRoundTripMs: Math.max(0, median(times) - dbLatencyMs - cpuMs),
    idleLoopDelayMs,
    samples: times.length,
    at: Date.now(),
  };
}
