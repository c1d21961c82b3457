/**
 * The stretch of a run worth watching: from the first request sent to the last event.
 * The run starts earlier (the pool warms up before the first request), but that lead-in
 * is empty on screen, so the scrubber, the timeline's axis and playback all start here:
 * one axis, one zero.
 */
import { cachedFor } from './cache';
import type { RunTrace } from './store';

export interface TimeWindow {
  start: number;
  end: number;
}

export function storyWindow(trace: RunTrace | undefined): TimeWindow {
  if (!trace) return { start: 0, end: 0 };
  const start = cachedFor(trace, 'story-start', trace.version, () => {
    let first = Infinity;
    for (const life of trace.lifecycles) first = Math.min(first, life.sentAt);
    return Number.isFinite(first) ? first : trace.startT;
  });
  return { start, end: Math.max(start, trace.endT) };
}
