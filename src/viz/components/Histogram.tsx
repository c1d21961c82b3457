import { useMemo } from 'react';
import type { HistogramBin } from '../../trace/stats';
import { histogramLayout } from '../layout/plotLayout';
import { formatMs } from '../layout/timelineLayout';

/** Latency histogram; `maxX` lets two runs share one scale in the compare view. */
export function Histogram({
  bins,
  maxX,
  title = 'Latency histogram',
}: {
  bins: HistogramBin[];
  maxX?: number;
  title?: string;
}) {
  const width = 320;
  const height = 110;
  const { bars, ticks } = useMemo(() => histogramLayout(bins, width, height, maxX), [bins, maxX]);
  return (
    <figure className="histogram">
      <figcaption>{title}</figcaption>
      <svg
        viewBox={`-24 0 ${width + 48} ${height + 18}`}
        width="100%"
        role="img"
        aria-label={`${title}: ${
          bins
            .map((b) => `${b.count} between ${formatMs(b.x0)} and ${formatMs(b.x1)}`)
            .filter((_, i) => bins[i]!.count > 0)
            .join('; ') || 'no requests yet'
        }`}
      >
        {bars.map((bar, i) => (
          <rect key={i} x={bar.x} y={bar.y} width={bar.width} height={bar.height} className="hist-bar" />
        ))}
        {ticks.map((tick) => (
          <text key={tick.label} x={tick.x} y={height + 14} textAnchor="middle" className="axis-text">
            {formatMs(tick.label)}
          </text>
        ))}
      </svg>
    </figure>
  );
}
