/**
 * The database lane drawn per pixel column: each column holds the most calls in flight at any
 * moment inside it, so thousands of steps become a path no longer than the lane is wide, and no
 * peak narrower than a pixel disappears.
 */
import { scaleLinear } from 'd3-scale';
import { describe, expect, it } from 'vitest';
import type { CountPoint } from '../../../src/trace/lanes';
import { databaseAreaPath, databaseColumns } from '../../../src/viz/components/TimelineLanes';

/** From scratch: a column's value is the largest count of any step that overlaps it. */
function bruteForce(points: CountPoint[], x: ReturnType<typeof scaleLinear<number, number>>): number[] {
  const [r0, r1] = x.range() as [number, number];
  const first = Math.floor(r0);
  const out: number[] = [];
  for (let c = 0; c < Math.ceil(r1) - first; c += 1) {
    let max = 0;
    for (let i = 0; i + 1 < points.length; i += 1) {
      const from = x(points[i]!.t) - first;
      const to = x(points[i + 1]!.t) - first;
      if (to > from && from < c + 1 && to > c) max = Math.max(max, points[i]!.count);
    }
    out.push(max);
  }
  return out;
}

function randomSteps(seed: number, n: number, span: number): CountPoint[] {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const points: CountPoint[] = [];
  let t = 0;
  let count = 0;
  for (let i = 0; i < n; i += 1) {
    t += random() * (span / n) * 2 + 1e-3;
    count = Math.max(0, count + Math.round((random() - 0.5) * 6));
    points.push({ t, count });
  }
  return points;
}

describe('database lane columns', () => {
  it('equals the largest overlapping step in every column, zoomed out and zoomed in', () => {
    for (const [seed, n, domain] of [
      [1, 5000, [0, 1000]],
      [2, 300, [0, 1000]],
      [3, 2000, [250, 400]],
      [4, 50, [-100, 2000]],
    ] as const) {
      const points = randomSteps(seed, n, 1000);
      const x = scaleLinear().domain(domain).range([0.5, 600.5]);
      expect([...databaseColumns(points, x)]).toEqual(bruteForce(points, x));
    }
  });

  it('keeps a one-call blip narrower than a pixel, and draws nothing before the first call', () => {
    const x = scaleLinear().domain([0, 1000]).range([0, 100]);
    const points: CountPoint[] = [
      { t: 500, count: 1 },
      { t: 500.5, count: 0 },
      { t: 1000, count: 0 },
    ];
    const columns = [...databaseColumns(points, x)];
    expect(columns[50]).toBe(1);
    expect(columns.filter((v) => v > 0)).toHaveLength(1);
    expect(databaseAreaPath(points, x, 10, 20, 1)).toBe('M0,30H50V10.0H51V30.0H100V30Z');
  });

  it('draws thousands of steps as at most two commands per column', () => {
    const points = randomSteps(5, 20_000, 1000);
    const x = scaleLinear().domain([0, 1000]).range([0, 800]);
    const d = databaseAreaPath(points, x, 0, 40, 10);
    expect(d.split('V').length - 1).toBeLessThanOrEqual(801);
  });
});
