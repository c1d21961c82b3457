/**
 * The loop lane drawn as one path per state: segments closer than half a pixel merge, so a run
 * of thousands of requests is a handful of path pieces; what is visible keeps its place.
 */
import { scaleLinear } from 'd3-scale';
import { describe, expect, it } from 'vitest';
import type { LoopSegment } from '../../../src/trace/lanes';
import { lanePaths } from '../../../src/viz/components/TimelineLanes';

const pieces = (d: string) => d.split('M').filter(Boolean);

describe('loop lane paths', () => {
  it('merges thousands of sub-pixel segments into few pieces, one per visible run', () => {
    const x = scaleLinear().domain([0, 10_000]).range([0, 1000]);
    const segments: LoopSegment[] = [];
    // 5,000 busy slivers 1 ms apart (a tenth of a pixel; the last one kept a pixel wide), a gap, one blocked stretch.
    for (let i = 0; i < 5000; i += 1) segments.push({ state: 'busy', start: i, end: i + 0.5 });
    segments.push({ state: 'blocked', start: 6000, end: 7000 });
    segments.push({ state: 'busy', start: 8000, end: 8100 });
    const { busy, blocked } = lanePaths(segments, x, 10_000, 10, 20);
    expect(pieces(busy)).toEqual(['0.0,10h500.9v20H0.0Z', '800.0,10h10.0v20H800.0Z']);
    expect(pieces(blocked)).toEqual(['600.0,10h100.0v20H600.0Z']);
  });

  it('clips to the visible domain, ends open segments at `until`, and keeps a sliver at least a pixel wide', () => {
    const x = scaleLinear().domain([100, 200]).range([0, 100]);
    const segments: LoopSegment[] = [
      { state: 'busy', start: 50, end: 90 },
      { state: 'busy', start: 120, end: 120.01 },
      { state: 'blocked', start: 150, end: Infinity },
    ];
    const { busy, blocked } = lanePaths(segments, x, 180, 0, 5);
    expect(pieces(busy)).toEqual(['20.0,0h1.0v5H20.0Z']);
    expect(pieces(blocked)).toEqual(['50.0,0h30.0v5H50.0Z']);
  });
});
