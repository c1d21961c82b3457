/**
 * How a config change reaches a running subject: the latency proxy's delay, a restart, or
 * a `configure` message that takes effect from the next request on.
 */
import { type LabConfig, RESTART_KNOBS, type Runtime } from '../../common/config';

type LiveKey = 'mode' | 'cpuMs' | 'blockingTimeoutMs';
/**
 * What each runtime changes in place. The Node subject holds both modes' database access,
 * open and warm (dataAccess.ts), so even the mode is a message; the Tornado subject changes
 * only its CPU work in place.
 */
const LIVE_KEYS: Record<Runtime, readonly LiveKey[]> = {
  node: ['mode', 'cpuMs', 'blockingTimeoutMs'],
  tornado: ['cpuMs'],
};
const ALL_LIVE_KEYS: readonly LiveKey[] = ['mode', 'cpuMs', 'blockingTimeoutMs'];

export type ApplyPlan = 'restart' | 'configure' | 'nothing';

export function planApply(previous: LabConfig, next: LabConfig): ApplyPlan {
  if (RESTART_KNOBS.some((key) => next[key] !== previous[key])) return 'restart';
  const changed = ALL_LIVE_KEYS.filter((key) => next[key] !== previous[key]);
  if (changed.length === 0) return 'nothing';
  return changed.every((key) => LIVE_KEYS[next.runtime].includes(key)) ? 'configure' : 'restart';
}

/** Whether the runtime answers `configure` with `configured` (the Tornado subject does not). */
export const acknowledgesConfigure = (config: LabConfig): boolean => config.runtime === 'node';

export const liveSettings = ({ mode, cpuMs, blockingTimeoutMs }: LabConfig) => ({ mode, cpuMs, blockingTimeoutMs });
