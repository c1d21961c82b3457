/**
 * Request lanes drawn in milliseconds since the run's origin, with the axis as a transform: a bar
 * lands where the axis says, the shortest stays a pixel wide, and a lane's markup does not change
 * when the axis does (so a live step or a zoom redraws no lane whose request did not change).
 */
import { scaleLinear } from 'd3-scale';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { RequestLifecycle } from '../../../src/trace/lifecycle';
import { laneAxis, laneAxisStyle, laneBars, RequestLane } from '../../../src/viz/components/TimelineLanes';

const origin = 1_700_000_000_000;
const life: RequestLifecycle = {
  rid: 'r7',
  route: 'getUser',
  sentAt: origin + 10,
  acceptedAt: origin + 12,
  segments: [
    { phase: 'queued', start: origin + 10, end: origin + 12, holdsLoop: false },
    { phase: 'running', start: origin + 12, end: origin + 12.01, holdsLoop: true },
    { phase: 'database', start: origin + 12.01, end: Infinity, holdsLoop: false },
  ],
  steps: [],
  dbOps: ['findOne'],
  events: [],
} as unknown as RequestLifecycle;

describe('request lane bars on a transformed axis', () => {
  it('puts each bar where the axis puts its start, at its width in pixels', () => {
    const x = scaleLinear()
      .domain([origin, origin + 400])
      .range([120, 920]);
    const axis = laneAxis(x, origin);
    expect(axis.k).toBeCloseTo(2);
    expect(axis.tx).toBeCloseTo(120);
    const [queued] = laneBars(life, origin, axis.minMs);
    expect(axis.tx + axis.k * queued!.x).toBeCloseTo(x(origin + 10));
    expect(axis.k * queued!.width).toBeCloseTo(x(origin + 12) - x(origin + 10));
    expect(laneAxisStyle(axis)).toEqual({ '--lane-k': String(axis.k), '--lane-tx': `${axis.tx}px` });
  });

  it('keeps the shortest bar at least a pixel wide, with a power-of-two minimum that moves only when the scale halves or doubles', () => {
    const x = (ms: number) =>
      scaleLinear()
        .domain([origin, origin + ms])
        .range([120, 920]);
    const axis = laneAxis(x(1000), origin);
    expect(Math.log2(axis.minMs) % 1).toBe(0);
    expect(axis.minMs * axis.k).toBeGreaterThanOrEqual(1);
    expect(axis.minMs * axis.k).toBeLessThan(2);
    const sliver = laneBars(life, origin, axis.minMs)[1]!;
    expect(sliver.width * axis.k).toBeGreaterThanOrEqual(1);
    // A live run whose window grows by a fifth: the same minimum, so no lane is redrawn for it.
    expect(laneAxis(x(1200), origin).minMs).toBe(axis.minMs);
    expect(laneAxis(x(2400), origin).minMs).toBe(axis.minMs * 2);
  });

  it('runs an open phase past any window (the clip ends it at the axis edge) and keeps the phase and hold marks', () => {
    const bars = laneBars(life, origin, 1 / 16);
    expect(bars.map((b) => [b.phase, b.holdsLoop])).toEqual([
      ['queued', false],
      ['running', true],
      ['database', false],
    ]);
    expect(bars[2]!.x + bars[2]!.width).toBeGreaterThan(1e8);
  });

  it("draws the same lane, attribute for attribute, whatever the axis: the axis is the svg's style, not the lane's", () => {
    const draw = (ms: number) => {
      const x = scaleLinear()
        .domain([origin, origin + ms])
        .range([120, 920]);
      return renderToStaticMarkup(
        createElement(
          'svg',
          null,
          createElement(RequestLane, {
            life,
            right: 920,
            y: 100,
            height: 20,
            origin,
            minMs: laneAxis(x, origin).minMs,
            clipId: 'clip',
            selected: false,
            onFocus: () => undefined,
            onSelect: () => undefined,
          }),
        ),
      );
    };
    expect(draw(1000)).toBe(draw(1100));
    expect(draw(1000)).toContain('data-rid="r7"');
    expect(draw(1000)).toContain('seg seg-running seg-holds');
  });
});
