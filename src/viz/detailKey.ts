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

/**
 * While a run is live, the timeline's steps may take at most this share of the page's main
 * thread. A step (a render of every lane, then the browser's style, layout and paint of them)
 * costs ~10 ms on a fast desktop and over 100 ms on a 2-core laptop ingesting 20,000 events a
 * second, where a step every 500 ms of trace time took a tenth of the frames. The hero loop
 * moves every frame; the timeline can follow in larger steps on a slow machine.
 */
export const LIVE_TIMELINE_SHARE = 0.1;

/**
 * How long a live timeline waits before its next step, from the cost of its last step (ms,
 * from the render to the frame painted after it) and the time since that step was painted:
 * none on a machine where a step is cheap, else enough that steps take at most
 * LIVE_TIMELINE_SHARE of the time. Pure.
 */
export function liveStepDelay(lastStepCostMs: number, sincePaintedMs: number): number {
  const spacing = Math.min(MAX_LIVE_STEP_SPACING_MS, lastStepCostMs / LIVE_TIMELINE_SHARE - lastStepCostMs);
  return Math.max(0, spacing - sincePaintedMs);
}

/**
 * However slow a step was measured (a frame held up by something else, a tab in the
 * background), a live timeline is never more than this far behind its last step.
 */
export const MAX_LIVE_STEP_SPACING_MS = 2000;
