import { describe, expect, it } from 'vitest';
import { TraceStore } from '../../../src/trace/store';
import {
  createHistogramService,
  HISTOGRAM_PHASES,
  HistogramIndex,
  MAX_BINS,
  packRequests,
  packSegments,
} from '../../../src/viz/aggregate/histogram';
import { synthesizeLongPoll } from '../../../src/viz/syntheticLongPoll';

const at = (phase: (typeof HISTOGRAM_PHASES)[number]) => HISTOGRAM_PHASES.indexOf(phase);

describe('histogram lane aggregation', () => {
  it('counts requests in flight per phase, time-weighted per bin', () => {
    const index = new HistogramIndex();
    // One request queued 0..10 then running 10..25; another at the database 5..40.
    index.set(
      0,
      packSegments([
        { phase: 'queued', start: 0, end: 10 },
        { phase: 'running', start: 10, end: 25 },
      ]),
    );
    index.set(1, packSegments([{ phase: 'database', start: 5, end: 40 }]));
    const h = index.histogram({ start: 0, end: 40, bins: 4, until: 40 });
    const bin = (phase: (typeof HISTOGRAM_PHASES)[number], b: number) => h.counts[at(phase) * h.bins + b];
    expect([0, 1, 2, 3].map((b) => bin('queued', b))).toEqual([1, 0, 0, 0]);
    expect([0, 1, 2, 3].map((b) => bin('running', b))).toEqual([0, 1, 0.5, 0]);
    expect([0, 1, 2, 3].map((b) => bin('database', b))).toEqual([0.5, 1, 1, 1]);
    expect(h.peak).toBe(2);
    expect(h.requests).toBe(2);
  });

  it('ends open segments at `until`, clips to the window and replaces a request that changed', () => {
    const index = new HistogramIndex();
    index.set(0, packSegments([{ phase: 'running', start: 0, end: Infinity }]));
    expect(
      index
        .histogram({ start: 0, end: 100, bins: 10, until: 50 })
        .counts.slice(at('running') * 10, at('running') * 10 + 10),
    ).toEqual(new Float64Array([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]));
    index.set(
      0,
      packSegments([
        { phase: 'running', start: 0, end: 20 },
        { phase: 'responding', start: 20, end: 30 },
      ]),
    );
    const h = index.histogram({ start: 10, end: 30, bins: 2, until: 50 });
    expect(h.requests).toBe(1);
    expect(h.counts[at('running') * 2]).toBe(1);
    expect(h.counts[at('responding') * 2 + 1]).toBe(1);
    expect(index.histogram({ start: 0, end: 1, bins: 1e9, until: 1 }).bins).toBe(MAX_BINS);
  });

  it('sees all 10,000 long-polls waiting at once, as the service the worker runs', () => {
    const { events, allWaitingAt, publishedAt } = synthesizeLongPoll({ waiters: 10_000, holdMs: 1000 });
    const run = new TraceStore().replace('c10k', events);
    const service = createHistogramService();
    const lifecycles = run.lifecycles;
    service(
      packRequests(
        'c10k',
        lifecycles.map((l, i) => [i, l.segments] as const),
      ),
    );
    const start = allWaitingAt - 10;
    const reply = service({ type: 'histogram', run: 'c10k', id: 7, start, end: start + 20, bins: 2, until: run.endT });
    expect(reply?.id).toBe(7);
    const h = reply!.histogram;
    // The waiters are on the loop's books (parked in their handler); the publish request is not yet sent.
    expect(h.counts[at('running') * 2]).toBeCloseTo(10_000, 6);
    expect(h.peak).toBeCloseTo(10_000, 6);
    expect(h.requests).toBe(10_001);
    expect(publishedAt).toBeGreaterThan(start + 20);
    service({ type: 'reset', run: 'c10k' });
    expect(
      service({ type: 'histogram', run: 'c10k', id: 8, start, end: start + 20, bins: 2, until: run.endT })!.histogram
        .requests,
    ).toBe(0);
  });
});
