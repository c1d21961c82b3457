import { useMemo } from 'react';
import type { SeriesPoint } from '../../trace/stats';
import { sparkLayout } from '../layout/plotLayout';
import { formatMs } from '../layout/timelineLayout';

/** A small plot of one number over time, with its peak in words and its units on both axes. */
export function Sparkline(props: {
  title: string;
  /** What the vertical axis counts, e.g. "ms" or "requests/s". */
  unit: string;
  points: SeriesPoint[];
  domain: [number, number];
  cursor?: number;
  format: (v: number) => string;
  fixedMax?: number;
}) {
  const { title, unit, points, domain, cursor, format, fixedMax } = props;
  const width = 220;
  const height = 48;
  const layout = useMemo(
    () => sparkLayout(points, width, height, domain, cursor, fixedMax),
    [points, domain, cursor, fixedMax],
  );
  const peak = points.length ? Math.max(...points.map((p) => p.value)) : 0;
  return (
    <figure className="spark" data-testid="sparkline">
      <figcaption>
        {title} <span className="spark-unit">({unit})</span> <span className="spark-peak">peak {format(peak)}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        height={height}
        role="img"
        aria-label={`${title}: peak ${format(peak)} over ${points.length} samples`}
        preserveAspectRatio="none"
      >
        <rect width={width} height={height} className="spark-bg" />
        <path d={layout.area} className="spark-area" />
        <path d={layout.line} className="spark-line" />
        {layout.cursorX !== undefined && (
          <line x1={layout.cursorX} x2={layout.cursorX} y1={0} y2={height} className="cursor" />
        )}
      </svg>
      <p className="spark-axis" aria-hidden="true">
        <span>0</span>
        <span>{formatMs(domain[1] - domain[0])}</span>
      </p>
    </figure>
  );
}
