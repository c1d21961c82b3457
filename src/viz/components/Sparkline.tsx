import { useMemo } from 'react';
import type { SeriesPoint } from '../../trace/stats';
import { sparkLayout } from '../layout/plotLayout';

/** A small plot of one number over time, with its latest value in words. */
export function Sparkline(props: { title: string; points: SeriesPoint[]; domain: [number, number]; cursor?: number; format: (v: number) => string; fixedMax?: number }) {
  const { title, points, domain, cursor, format, fixedMax } = props;
  const width = 220;
  const height = 48;
  const layout = useMemo(() => sparkLayout(points, width, height, domain, cursor, fixedMax), [points, domain, cursor, fixedMax]);
  const peak = points.length ? Math.max(...points.map((p) => p.value)) : 0;
  return (
    <figure className="spark" data-testid="sparkline">
      <figcaption>
        {title} <span className="spark-peak">peak {format(peak)}</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} role="img" aria-label={`${title}: peak ${format(peak)} over ${points.length} samples`} preserveAspectRatio="none">
        <rect width={width} height={height} className="spark-bg" />
        <path d={layout.area} className="spark-area" />
        <path d={layout.line} className="spark-line" />
        {layout.cursorX !== undefined && <line x1={layout.cursorX} x2={layout.cursorX} y1={0} y2={height} className="cursor" />}
      </svg>
    </figure>
  );
}
