import type { ScaleLinear } from 'd3-scale';
import { memo } from 'react';
import { cachedFor } from '../../trace/cache';
import { PHASE_LABELS, type Phase, type RequestLifecycle } from '../../trace/lifecycle';
import type { CountPoint, LoopSegment, LoopState } from '../../trace/lanes';
import { requestName } from '../../trace/narrate';
import { formatMs } from '../layout/timelineLayout';
import { HISTOGRAM_PHASES, type Histogram } from '../aggregate/histogram';

type X = ScaleLinear<number, number>;

/** Describes a request's phases in words: the lane's accessible name and its details. */
export function describeLifecycle(life: RequestLifecycle, origin: number): string {
  const phases = life.segments
    .map((s) => `${PHASE_LABELS[s.phase]} ${formatMs(s.end - s.start)}${s.holdsLoop ? ' (holding the loop)' : ''}`)
    .join(', ');
  return `${requestName(life)}, sent at ${formatMs(life.sentAt - origin)}: ${phases || 'no events yet'}`;
}

const rangeOf = (x: X) => {
  const [r0 = 0, r1 = 0] = x.range();
  return { r0, r1 };
};

/**
 * How a request lane's bars sit on the time axis. The bars are drawn in milliseconds since the
 * run's origin, and the axis is a transform on them (`laneAxisStyle`): a new axis (every live
 * step, every zoom) then moves no bar, so a lane is redrawn only when its own request changes.
 * `minMs` keeps the shortest bar a pixel wide; it is a power of two, so it changes only when the
 * scale halves or doubles, not at every step.
 */
export interface LaneAxis {
  /** Pixels per millisecond. */
  k: number;
  /** Where the origin (ms 0) is, in pixels. */
  tx: number;
  minMs: number;
}

export function laneAxis(x: X, origin: number): LaneAxis {
  const [d0 = 0, d1 = 1] = x.domain();
  const { r0, r1 } = rangeOf(x);
  const k = (r1 - r0) / Math.max(1e-9, d1 - d0);
  return { k, tx: x(origin), minMs: 2 ** Math.ceil(Math.log2(1 / k)) };
}

/** The CSS variables the bars' transform reads (set on the timeline's svg, so an export keeps them). */
export function laneAxisStyle(axis: LaneAxis): Record<string, string> {
  return { '--lane-k': String(axis.k), '--lane-tx': `${axis.tx}px` };
}

/** An open phase (a request still waiting) runs to the right edge: the clip ends it at the axis's end. */
const OPEN_MS = 1e9;

/**
 * A request's bars in the lane's own units (ms since the origin), with the shortest a pixel wide.
 * Pure.
 */
export function laneBars(life: RequestLifecycle, origin: number, minMs: number) {
  return life.segments.map((s) => {
    const start = s.start - origin;
    const end = Number.isFinite(s.end) ? s.end - origin : OPEN_MS;
    return { x: start, width: Math.max(minMs, end - start), phase: s.phase, holdsLoop: s.holdsLoop };
  });
}

/**
 * One request: its phases as bars, patterned so colour is not the only signal. Memoised, and
 * nothing it is given moves with the axis: a live step redraws only the lanes whose request
 * changed.
 */
export const RequestLane = memo(function RequestLane(props: {
  life: RequestLifecycle;
  /** The lanes' right edge, in pixels. */
  right: number;
  y: number;
  height: number;
  origin: number;
  minMs: number;
  /** The clip path that ends the bars at the axis's edges. */
  clipId: string;
  selected: boolean;
  onFocus: (rid: string) => void;
  onSelect: (rid: string) => void;
}) {
  const { life, y, height, origin } = props;
  return (
    <g
      className={`request-lane${props.selected ? ' selected' : ''}`}
      data-testid="request-lane"
      data-rid={life.rid}
      data-sent-at={(life.sentAt - origin).toFixed(2)}
      data-accepted-at={life.acceptedAt === undefined ? '' : (life.acceptedAt - origin).toFixed(2)}
      data-responded-at={life.respondedAt === undefined ? '' : (life.respondedAt - origin).toFixed(2)}
      tabIndex={0}
      role="button"
      aria-pressed={props.selected}
      aria-label={describeLifecycle(life, origin)}
      onMouseEnter={() => props.onFocus(life.rid)}
      onFocus={() => props.onFocus(life.rid)}
      onClick={() => props.onSelect(life.rid)}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), props.onSelect(life.rid))}
    >
      <rect x={0} y={y} width={props.right} height={height} className="lane-hit" />
      {height >= 10 && (
        <text x={4} y={y + height / 2} dy="0.35em" className="lane-label">
          {requestName(life)}
        </text>
      )}
      {/* The clip is outside the transform, so it is in the svg's pixels. */}
      <g clipPath={`url(#${props.clipId})`}>
        <g className="lane-segs">
          {laneBars(life, origin, props.minMs).map((bar, i) => (
            <rect
              key={i}
              x={bar.x}
              y={y + 1}
              width={bar.width}
              height={Math.max(2, height - 2)}
              className={`seg seg-${bar.phase}${bar.holdsLoop ? ' seg-holds' : ''}`}
            />
          ))}
        </g>
      </g>
    </g>
  );
});

/**
 * A lane's segments as one path per state, merged where they meet within half a pixel: a run
 * of thousands of requests is a few path elements, not thousands of rects (the DOM, not the
 * maths, was what a live timeline spent its frames on). Pure.
 */
export function lanePaths(segments: readonly LoopSegment[], x: X, until: number, y: number, height: number) {
  const [d0, d1] = x.domain() as [number, number];
  const paths: Record<LoopState, string[]> = { busy: [], blocked: [] };
  const open: Partial<Record<LoopState, { from: number; to: number }>> = {};
  const flush = (state: LoopState) => {
    const run = open[state];
    if (run)
      paths[state].push(
        `M${run.from.toFixed(1)},${y}h${(run.to - run.from).toFixed(1)}v${height}H${run.from.toFixed(1)}Z`,
      );
    open[state] = undefined;
  };
  for (const s of segments) {
    const start = Math.max(s.start, d0);
    const end = Math.min(Number.isFinite(s.end) ? s.end : until, d1);
    if (end <= start) continue;
    const from = x(start);
    const to = Math.max(from + 1, x(end));
    const run = open[s.state];
    if (run && from <= run.to + 0.5) run.to = Math.max(run.to, to);
    else {
      flush(s.state);
      open[s.state] = { from, to };
    }
  }
  flush('busy');
  flush('blocked');
  return { busy: paths.busy.join(''), blocked: paths.blocked.join('') };
}

/** A subject loop: blocked (hatched), busy (solid), idle (empty). */
export const LoopLaneRow = memo(function LoopLaneRow({
  segments,
  x,
  y,
  height,
  worker,
  until,
}: {
  segments: LoopSegment[];
  x: X;
  y: number;
  height: number;
  worker: number;
  until: number;
}) {
  // Kept outside React: a deferred render React abandons and starts over does not recompute the paths.
  const { busy, blocked } = cachedFor(x, `loop-paths:${worker}:${y}:${height}:${until}`, segments, () =>
    lanePaths(segments, x, until, y, height),
  );
  return (
    <g className="loop-lane" data-testid="loop-lane" data-segments={segments.length}>
      <text x={4} y={y + height / 2} dy="0.35em" className="lane-label lane-label-strong">
        loop {worker}
      </text>
      <rect x={rangeOf(x).r0} y={y} width={rangeOf(x).r1 - rangeOf(x).r0} height={height} className="lane-idle" />
      {busy && <path d={busy} className="loop-busy" />}
      {blocked && <path d={blocked} className="loop-blocked" />}
    </g>
  );
});

/**
 * The database lane's step function, one value per pixel column: the most calls in flight at
 * any moment within the column (0 where nothing was). A run of thousands of requests has tens
 * of thousands of steps, drawn on under two thousand pixels: the shape is the same and the
 * path is a pixel wide at most. Pure; linear in points plus columns.
 */
export function databaseColumns(points: readonly CountPoint[], x: X): Float64Array {
  const { r0, r1 } = rangeOf(x);
  const first = Math.floor(r0);
  const columns = new Float64Array(Math.max(0, Math.ceil(r1) - first));
  for (let i = 0; i + 1 < points.length; i += 1) {
    const { t, count } = points[i]!;
    if (count <= 0) continue;
    const from = x(t) - first;
    const to = x(points[i + 1]!.t) - first;
    if (!(to > from)) continue;
    const last = Math.min(columns.length - 1, Math.ceil(to) - 1);
    for (let c = Math.max(0, Math.floor(from)); c <= last; c += 1) if (count > columns[c]!) columns[c] = count;
  }
  return columns;
}

/** The area under databaseColumns, as one path: a rise or fall only where a column's value changes. */
export function databaseAreaPath(points: readonly CountPoint[], x: X, y: number, height: number, peak: number) {
  const columns = databaseColumns(points, x);
  const first = Math.floor(rangeOf(x).r0);
  const base = y + height;
  let d = `M${first},${base}`;
  let level = 0;
  for (let c = 0; c < columns.length; c += 1) {
    const value = columns[c]!;
    if (value !== level) {
      d += `H${first + c}V${(base - (value / peak) * height).toFixed(1)}`;
      level = value;
    }
  }
  return `${d}H${first + columns.length}V${base}Z`;
}

/** Database calls in flight over time. */
export const DatabaseLane = memo(function DatabaseLane({
  points,
  x,
  y,
  height,
}: {
  points: CountPoint[];
  x: X;
  y: number;
  height: number;
}) {
  let peak = 1;
  for (const p of points) if (p.count > peak) peak = p.count;
  const path = cachedFor(x, `db-path:${y}:${height}:${peak}`, points, () =>
    databaseAreaPath(points, x, y, height, peak),
  );
  return (
    <g className="db-lane" data-testid="database-lane">
      {/* The peak beside the name, in the label column: at the right edge it sat on the area when calls peaked there. */}
      <text x={4} y={y + height / 2} dy="0.35em" className="lane-label lane-label-strong">
        database <tspan className="lane-note">· peak {peak}</tspan>
      </text>
      <path d={path} className="db-area" />
    </g>
  );
});

const count = new Intl.NumberFormat('en-US');

/**
 * The histogram lane's two notes under "all requests", in the label column: no longer than
 * "10,001 · click to see" (what tests/e2e/c10k.spec.ts shows fits there in a wide font), so a
 * run of a million requests words them shorter rather than writing on the area. Pure.
 */
export function histogramNotes(total: number, peak: number): [string, string] {
  const requests = count.format(total);
  const most = count.format(Math.round(peak));
  return [
    requests.length <= 6 ? `${requests} · click to see` : `${requests} requests`,
    most.length <= 6 ? `peak ${most} at once` : `peak ${most}`,
  ];
}

/**
 * Every request at once, when they do not all fit as lanes: requests in flight per phase over
 * time, stacked. Clicking a time (or Enter, at the playback time) zooms there: the lanes below
 * then show that moment's requests.
 */
export const HistogramLane = memo(function HistogramLane({
  histogram,
  total,
  x,
  y,
  height,
  onDrill,
}: {
  histogram: Histogram | undefined;
  total: number;
  x: X;
  y: number;
  height: number;
  /** Zoom to a time; undefined: the playback time. */
  onDrill: (time: number | undefined) => void;
}) {
  const { r0, r1 } = rangeOf(x);
  const peak = Math.max(1, histogram?.peak ?? 0);
  const paths: Array<{ phase: Phase; d: string }> = [];
  if (histogram) {
    const { bins, counts } = histogram;
    const binX = (bin: number) => x(histogram.start + ((histogram.end - histogram.start) * bin) / bins);
    const below = new Float64Array(bins);
    HISTOGRAM_PHASES.forEach((phase, p) => {
      let top = '';
      let bottom = '';
      for (let bin = 0; bin < bins; bin += 1) {
        const low = y + height - (below[bin]! / peak) * height;
        below[bin]! += counts[p * bins + bin]!;
        const high = y + height - (below[bin]! / peak) * height;
        top += `${bin === 0 ? 'M' : 'L'}${binX(bin).toFixed(1)},${high.toFixed(1)}H${binX(bin + 1).toFixed(1)}`;
        bottom = `L${binX(bin + 1).toFixed(1)},${low.toFixed(1)}H${binX(bin).toFixed(1)}` + bottom;
      }
      paths.push({ phase, d: `${top}${bottom}Z` });
    });
  }
  const label = `All ${count.format(total)} requests, in flight by phase over time (peak ${count.format(Math.round(histogram?.peak ?? 0))} at once). Click a time, or press Enter for the playback time, to show that moment's requests as lanes.`;
  // The lane's words sit beside the button, not in it: its accessible name says all of them and
  // more, and a name must contain the text a button shows. They let clicks through to it.
  const words = { 'aria-hidden': true, pointerEvents: 'none' } as const;
  const notes = histogramNotes(total, histogram?.peak ?? 0);
  return (
    <g>
      <g
        className="histogram-lane"
        data-testid="histogram-lane"
        data-requests={histogram?.requests ?? 0}
        data-peak={Math.round(histogram?.peak ?? 0)}
        role="button"
        tabIndex={0}
        aria-label={label}
        onClick={(e) => {
          const box = (e.currentTarget.ownerSVGElement ?? e.currentTarget).getBoundingClientRect();
          onDrill(x.invert(e.clientX - box.left));
        }}
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onDrill(undefined))}
      >
        <rect x={r0} y={y} width={r1 - r0} height={height} className="lane-idle" />
        {paths.map(({ phase, d }) => (
          <path key={phase} d={d} className={`seg seg-${phase}`} />
        ))}
      </g>
      <text x={4} y={y + 12} className="lane-label lane-label-strong" {...words}>
        all requests
      </text>
      <text x={4} y={y + 28} className="lane-note" {...words}>
        {notes[0]}
      </text>
      {/* In the label column with the rest, not over the area: the peak is where the area is tallest. */}
      <text x={4} y={y + 44} className="lane-note" {...words}>
        {notes[1]}
      </text>
    </g>
  );
});
