/**
 * When the detail views (timeline, numbers, compare) recompute. Live, a burst of
 * batches would redraw them every frame; instead they follow the trace's own clock
 * in LIVE_DETAIL_MS steps (trace time, not a timer), plus once when the run finishes.
 * Replaying or paused, they follow every change.
 */
export const LIVE_DETAIL_MS = 500;

export function detailKey(version: number, live: boolean, endT: number, finished: boolean): string {
  return live ? `live:${Math.floor(endT / LIVE_DETAIL_MS)}:${finished ? 'end' : ''}` : `v:${version}`;
}
