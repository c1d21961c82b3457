import { useSelector } from '@xstate/react';
import { useCallback, useId, useMemo, useState, type RefObject, memo } from 'react';
import { useLab } from '../../lab/LabContext';
import { cachedFor } from '../../trace/cache';
import type { RequestLifecycle } from '../../trace/lifecycle';
import { lanesOf } from '../../trace/lanes';
import type { TraceView } from '../../trace/store';
import { storyWindow } from '../../trace/window';
import { useHistogram } from '../aggregate/useHistogram';
import {
  formatMs,
  HISTOGRAM_LANE_HEIGHT,
  panDomain,
  TOP_LANE_HEIGHT,
  timelineLayout,
  zoomDomain,
  type Domain,
} from '../layout/timelineLayout';
import { TIMELINE_SVG_STYLE } from './exportFiles';
import { RequestDetails } from './RequestDetails';
import { TimelineCursor } from './TimelineCursor';
import { TimelinePatterns } from './TimelinePatterns';
import { DatabaseLane, HistogramLane, laneAxis, laneAxisStyle, LoopLaneRow, RequestLane } from './TimelineLanes';
import { useSize } from './useSize';

const NO_LIFECYCLES: readonly RequestLifecycle[] = [];
const NO_LANES: ReturnType<typeof lanesOf> = { workers: [0], loops: [[]], database: [] };

/** Lanes share the window's height (not the container's: that would grow with its own content). */
const viewportHeight = () => Math.max(300, (typeof window === 'undefined' ? 800 : window.innerHeight) * 0.55);

/** A lesson's stage has room for a short timeline: lanes squeeze into this height, tools and details are left out. */
const COMPACT_HEIGHT = 220;

/** One lane per request plus loop and database lanes, on one time axis; zoom and pan (not when compact). */
function TimelineViewDrawn({
  view,
  svgRef,
  compact = false,
}: {
  /** The run as published; a new object when the timeline should recompute (live: in steps of trace time). */
  view: TraceView;
  svgRef: RefObject<SVGSVGElement | null>;
  compact?: boolean;
}) {
  const { playback } = useLab();
  const selected = useSelector(playback, (s) => s.context.selectedRid);
  const [ref, size] = useSize<HTMLDivElement>({ width: 900, height: 400 });
  const [zoom, setZoom] = useState<Domain | null>(null);
  const [focused, setFocused] = useState<string>();
  // The story window (first request to last event), the scrubber's axis too.
  // It follows the view (live: in steps of trace time), not every batch: a new end every frame would redraw every lane every frame.
  const { trace } = view;
  // Taken once per view object, outside React's memo: a live run's arrays grow under a view that
  // stays the same, and React starts a deferred render over each time a frame interrupts it, so
  // a memo read again would give every attempt a new end, a new axis and a full redraw.
  const { full, total } = cachedFor(view, 'timeline-window', view.version, () => {
    const story = storyWindow(view.trace);
    return {
      full: { start: story.start, end: Math.max(story.start + 1, story.end) } as Domain,
      // The request count as of the view: the run's array grows with every live batch, the drawing only with the view.
      total: view.trace?.lifecycles.length ?? 0,
    };
  });
  const domain = zoom ?? full;
  // Loop and database lanes, kept incrementally per run: a live step merges in only the requests that finished.
  const lanes = useMemo(
    () =>
      view.trace
        ? cachedFor(view.trace, 'lanes', view.version, () => lanesOf(view.trace!.lifecycles, full.end))
        : NO_LANES,
    [view, full.end],
  );
  const { workers, loops, database: db } = lanes;
  const width = Math.max(400, size.width);
  const layout = useMemo(() => {
    const height = compact ? COMPACT_HEIGHT : viewportHeight();
    const compute = () =>
      timelineLayout(view.trace?.lifecycles ?? NO_LIFECYCLES, domain, width, workers.length, height);
    // Kept outside React too: a render React abandons (a newer frame arrived) is not paid for twice.
    const key = `${view.version}:${domain.start}:${domain.end}:${width}:${workers.length}:${height}`;
    return view.trace ? cachedFor(view.trace, compact ? 'layout-compact' : 'layout', key, compute) : compute();
  }, [view, domain, width, workers.length, compact]);
  const x = layout.x;
  // Bins of 4 px over the visible window, aggregated off the main thread.
  const [r0, r1] = x.range() as [number, number];
  const histogramQuery =
    layout.histogramTop === undefined
      ? undefined
      : { start: domain.start, end: domain.end, bins: Math.max(1, Math.floor((r1 - r0) / 4)), until: full.end };
  const histogram = useHistogram(view, histogramQuery);
  // The request lanes' bars are in ms since the origin; the axis reaches them as a transform.
  const axis = laneAxis(x, full.start);
  const clipId = `lane-clip-${useId().replace(/[^\w-]/g, '')}`;
  // The playback time is read when a control needs it: the timeline does not render as it moves.
  const playheadT = useCallback(() => playback.getSnapshot().context.t, [playback]);
  // The drill-down: a tenth of the window around the time picked (its requests become the lanes).
  const drill = useCallback(
    (time: number | undefined) =>
      setZoom(zoomDomain(domain, 0.1, Math.min(Math.max(time ?? playheadT(), domain.start), domain.end), full)),
    [domain, full, playheadT],
  );
  const zoomBy = (factor: number) =>
    setZoom(zoomDomain(domain, factor, Math.min(Math.max(playheadT(), domain.start), domain.end), full));
  const panBy = (fraction: number) => zoom && setZoom(panDomain(domain, fraction, full));
  const select = useCallback((rid: string) => playback.send({ type: 'playback.select', rid }), [playback]);
  // Lanes and axis do not depend on t: memoised (the cursor moves by itself).
  const drawing = useMemo(
    () => (
      <>
        {loops.map((segments, i) => (
          <LoopLaneRow
            key={workers[i]}
            segments={segments}
            x={x}
            y={4 + i * TOP_LANE_HEIGHT}
            height={TOP_LANE_HEIGHT - 6}
            worker={workers[i]!}
            until={full.end}
          />
        ))}
        <DatabaseLane points={db} x={x} y={4 + workers.length * TOP_LANE_HEIGHT} height={TOP_LANE_HEIGHT - 6} />
        {layout.histogramTop !== undefined && (
          <HistogramLane
            histogram={histogram}
            total={total}
            x={x}
            y={layout.histogramTop}
            height={HISTOGRAM_LANE_HEIGHT - 12}
            onDrill={drill}
          />
        )}
        <defs>
          <clipPath id={clipId}>
            <rect x={r0} y={0} width={Math.max(0, r1 - r0)} height={layout.height} />
          </clipPath>
        </defs>
        {layout.lanes.map((life, i) => (
          <RequestLane
            key={life.rid}
            life={life}
            right={r1}
            clipId={clipId}
            y={layout.requestTop + i * layout.laneHeight}
            height={layout.laneHeight}
            origin={full.start}
            minMs={axis.minMs}
            selected={life.rid === selected}
            onFocus={setFocused}
            onSelect={select}
          />
        ))}
        <g className="axis" transform={`translate(0, ${layout.height - 22})`} aria-hidden="true">
          {/* As many ticks as fit: a phone's timeline had eight labels in 250 px, each over the next. */}
          {x.ticks(Math.max(2, Math.min(8, Math.floor((r1 - r0) / 70)))).map((tick) => (
            <g key={tick} transform={`translate(${x(tick)}, 0)`}>
              <line y1={-layout.height} y2={4} className="gridline" />
              {/* A tick at the right edge is labelled to its left: centred, its words ran out of the picture. */}
              <text y={16} textAnchor={x(tick) > r1 - 24 ? 'end' : 'middle'}>
                {formatMs(tick - full.start)}
              </text>
            </g>
          ))}
        </g>
      </>
    ),
    [loops, workers, x, full, db, layout, selected, select, histogram, total, drill, clipId, r0, r1, axis.minMs],
  );
  const focusLife = focused ? trace?.lifecycle(focused) : undefined;
  return (
    <div className={`timeline-view${compact ? ' compact' : ''}`} data-testid="view-timeline" data-origin={full.start}>
      <div
        className="timeline-tools"
        role="group"
        aria-label={compact ? "The timeline's colours" : 'Zoom and pan the timeline'}
      >
        {!compact && (
          <>
            <button type="button" onClick={() => zoomBy(0.5)} aria-label="Zoom in (+)">
              + Zoom in
            </button>
            <button type="button" onClick={() => zoomBy(2)} aria-label="Zoom out (-)">
              − Zoom out
            </button>
            <button type="button" onClick={() => panBy(-0.25)} disabled={!zoom} aria-label="Pan left">
              ◀
            </button>
            <button type="button" onClick={() => panBy(0.25)} disabled={!zoom} aria-label="Pan right">
              ▶
            </button>
            <button type="button" onClick={() => setZoom(null)} disabled={!zoom}>
              Show all
            </button>
          </>
        )}
        <span className="legend" aria-hidden="true">
          <span className="key seg-queued">queued</span> <span className="key seg-running">on the loop</span>{' '}
          <span className="key seg-pool">pool wait</span> <span className="key seg-database">database</span>{' '}
          <span className="key seg-holds">holding the loop</span> <span className="key seg-responding">responding</span>
        </span>
      </div>
      {/* Focusable, so keyboard users can scroll it when it overflows (on a phone, always). */}
      <div
        className="timeline-scroll"
        ref={ref}
        tabIndex={0}
        role="region"
        aria-label="Timeline, scrollable: + and − zoom"
        onKeyDown={(e) => {
          if (e.key === '+' || e.key === '=') zoomBy(0.5);
          else if (e.key === '-') zoomBy(2);
          else return;
          e.preventDefault();
        }}
      >
        <svg
          ref={svgRef}
          id="timeline-svg"
          width={width}
          height={layout.height}
          viewBox={`0 0 ${width} ${layout.height}`}
          role="group"
          aria-label={`Timeline of ${total} requests`}
          style={laneAxisStyle(axis)}
          onWheel={(e) => {
            if (e.ctrlKey || e.altKey) zoomBy(e.deltaY > 0 ? 1.25 : 0.8);
            else if (zoom && e.shiftKey) panBy(e.deltaY > 0 ? 0.1 : -0.1);
          }}
        >
          <style>{TIMELINE_SVG_STYLE}</style>
          <TimelinePatterns k={axis.k} />
          {drawing}
        </svg>
        <TimelineCursor x={x} height={layout.height - 22} />
        {layout.hiddenLanes > 0 && (
          <p className="hint" data-testid="hidden-lanes">
            {layout.hiddenLanes} more requests in this window are in the histogram lane and the numbers, not drawn as
            lanes: zoom in (or click the histogram) to see fewer at a time.
          </p>
        )}
      </div>
      {!compact && <RequestDetails life={focusLife} origin={full.start} />}
    </div>
  );
}

/** Memoised: Stage renders every frame; the timeline only when its view (or its own state) changes. */
export const TimelineView = memo(TimelineViewDrawn);
