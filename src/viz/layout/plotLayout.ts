/**
 * Small plots for the numbers view: sparkline paths and histogram bars, computed with
 * d3-scale and d3-shape so components only draw the strings and rectangles.
 */
import { max } from 'd3-array';
import { scaleLinear } from 'd3-scale';
import { area, curveStepAfter, line } from 'd3-shape';
import type { HistogramBin, SeriesPoint } from '../../trace/stats';

export interface SparkLayout {
  line: string;
  area: string;
  maxValue: number;
  cursorX?: number;
}

export function sparkLayout(
  points: readonly SeriesPoint[],
  width: number,
  height: number,
  domain: [number, number],
  cursor?: number,
  fixedMax?: number,
): SparkLayout {
  const maxValue = fixedMax ?? Math.max(1e-9, max(points, (p) => p.value) ?? 0);
  const x = scaleLinear().domain(domain).range([0, width]);
  const y = scaleLinear()
    .domain([0, maxValue])
    .range([height - 1, 1]);
  const lineGen = line<SeriesPoint>()
    .x((p) => x(p.t))
    .y((p) => y(p.value))
    .curve(curveStepAfter);
  const areaGen = area<SeriesPoint>()
    .x((p) => x(p.t))
    .y0(height)
    .y1((p) => y(p.value))
    .curve(curveStepAfter);
  return {
    line: lineGen([...points]) ?? '',
    area: areaGen([...points]) ?? '',
    maxValue,
    cursorX: cursor === undefined ? undefined : x(cursor),
  };
}

export interface Bar {
  x: number;
  y: number;
  width: number;
  height: number;
  bin: HistogramBin;
}

export function histogramLayout(
  bins: readonly HistogramBin[],
  width: number,
  height: number,
  maxX?: number,
): { bars: Bar[]; ticks: Array<{ x: number; label: number }> } {
  if (bins.length === 0) return { bars: [], ticks: [] };
  const x = scaleLinear()
    .domain([maxX === undefined ? bins[0]!.x0 : 0, maxX ?? bins.at(-1)!.x1])
    .range([0, width]);
  const y = scaleLinear()
    .domain([0, max(bins, (b) => b.count) ?? 1])
    .range([height, 0]);
  return {
    bars: bins.map((bin) => ({
      x: x(bin.x0),
      y: y(bin.count),
      width: Math.max(1, x(bin.x1) - x(bin.x0) - 1),
      height: height - y(bin.count),
      bin,
    })),
    ticks: x.ticks(4).map((value) => ({ x: x(value), label: value })),
  };
}
