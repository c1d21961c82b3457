/**
 * The timeline's geometry: a shared time axis (d3-scale) and one lane per request,
 * plus the loop and database lanes on top. Pure, memoised on size and data.
 */
import { scaleLinear, type ScaleLinear } from 'd3-scale';
import type { RequestLifecycle } from '../../trace/lifecycle';

export const LABEL_WIDTH = 120;
export const TOP_LANE_HEIGHT = 28;
/** More lanes than this are summarised, not drawn one by one (SVG cost, readability). */
export const MAX_REQUEST_LANES = 150;
/** The histogram lane that stands for every request when they do not all fit as lanes. */
export const HISTOGRAM_LANE_HEIGHT = 72;

export interface Domain {
  start: number;
  end: number;
}

export interface TimelineLayout {
  x: ScaleLinear<number, number>;
  laneHeight: number;
  requestTop: number;
  lanes: RequestLifecycle[];
  hiddenLanes: number;
  height: number;
  /** Set when the requests do not all fit as lanes: where the histogram lane goes. */
  histogramTop?: number;
}

/**
 * Lanes for the requests in the visible window (zooming in is the drill-down: the window's
 * own requests become lanes), the first MAX_REQUEST_LANES by send time. When the run has
 * more requests than that, a histogram lane above the lanes stands for all of them.
 */
export function timelineLayout(
  lifecycles: readonly RequestLifecycle[],
  domain: Domain,
  width: number,
  workers: number,
  maxHeight: number,
): TimelineLayout {
  const { lanes, visible } = firstLanes(lifecycles, domain);
  const histogram = lifecycles.length > MAX_REQUEST_LANES;
  const histogramTop = (workers + 1) * TOP_LANE_HEIGHT + 8;
  const requestTop = (workers + 1) * TOP_LANE_HEIGHT + 24 + (histogram ? HISTOGRAM_LANE_HEIGHT : 0);
  const available = Math.max(100, maxHeight - requestTop - 30);
  const laneHeight = Math.max(4, Math.min(24, available / Math.max(1, lanes.length)));
  const layout: TimelineLayout = {
    x: scaleLinear()
      .domain([domain.start, domain.end])
      .range([LABEL_WIDTH, Math.max(LABEL_WIDTH + 10, width - 10)]),
    laneHeight,
    requestTop,
    lanes,
    hiddenLanes: Math.max(0, visible - lanes.length),
    height: requestTop + lanes.length * laneHeight + 30,
  };
  if (histogram) layout.histogramTop = histogramTop;
  return layout;
}

/**
 * The first MAX_REQUEST_LANES requests in the window by send time (ties in run order), and how
 * many the window holds. One pass that keeps only the lanes it will draw: a live run's requests
 * arrive nearly in send order, so most are turned away at a glance instead of sorting thousands.
 */
function firstLanes(lifecycles: readonly RequestLifecycle[], domain: Domain) {
  const lanes: RequestLifecycle[] = [];
  const all = lifecycles.length <= MAX_REQUEST_LANES;
  let visible = 0;
  for (const life of lifecycles) {
    if (!all && (life.sentAt > domain.end || (life.doneAt ?? Infinity) < domain.start)) continue;
    visible += 1;
    if (lanes.length === MAX_REQUEST_LANES && life.sentAt >= lanes.at(-1)!.sentAt) continue;
    let lo = 0;
    let hi = lanes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lanes[mid]!.sentAt <= life.sentAt) lo = mid + 1;
      else hi = mid;
    }
    lanes.splice(lo, 0, life);
    if (lanes.length > MAX_REQUEST_LANES) lanes.pop();
  }
  return { lanes, visible };
}

/** Zooms the domain around a focus time by a factor (< 1 zooms in), staying inside the full span. */
export function zoomDomain(domain: Domain, factor: number, focus: number, full: Domain): Domain {
  const span = Math.max(1, (domain.end - domain.start) * factor);
  const fullSpan = full.end - full.start;
  if (span >= fullSpan) return { ...full };
  const ratio = (focus - domain.start) / Math.max(1e-9, domain.end - domain.start);
  return clampDomain({ start: focus - span * ratio, end: focus - span * ratio + span }, full);
}

/** Pans by a fraction of the visible span, staying inside the full span. */
export function panDomain(domain: Domain, fraction: number, full: Domain): Domain {
  const shift = (domain.end - domain.start) * fraction;
  return clampDomain({ start: domain.start + shift, end: domain.end + shift }, full);
}

function clampDomain(domain: Domain, full: Domain): Domain {
  const span = domain.end - domain.start;
  if (domain.start < full.start) return { start: full.start, end: full.start + span };
  if (domain.end > full.end) return { start: full.end - span, end: full.end };
  return domain;
}

/** "12 ms", "1.25 s": durations as people read them. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '…';
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 1 : 2)} s`;
  if (Math.abs(ms) >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
