import { describe, expect, it } from 'vitest';
import { median, medianInterval } from '../../../bench/stats';

describe('the bench statistics', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('gives the median an interval that holds it, narrows with more rounds and is reproducible', () => {
    const spread = (n: number) => Array.from({ length: n }, (_, i) => 1 + ((i * 37) % 21) / 100 - 0.1);
    const few = medianInterval(spread(6));
    const many = medianInterval(spread(60));
    for (const [low, high] of [few, many]) {
      expect(low).toBeLessThanOrEqual(median(spread(60)) + 0.02);
      expect(high).toBeGreaterThanOrEqual(median(spread(60)) - 0.02);
      expect(low).toBeLessThan(high);
    }
    expect(many[1] - many[0]).toBeLessThan(few[1] - few[0]);
    expect(medianInterval(spread(6))).toEqual(few);
  });

  it('has no interval for no rounds, and a point for rounds that all agree', () => {
    expect(medianInterval([]).every(Number.isNaN)).toBe(true);
    expect(medianInterval([1.02, 1.02, 1.02])).toEqual([1.02, 1.02]);
  });
});
