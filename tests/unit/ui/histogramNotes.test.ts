/**
 * The histogram lane's notes fit its label column whatever the run's size: a long count is
 * worded shorter, never longer than the 10,000-request wording the browser test shows fits.
 */
import { describe, expect, it } from 'vitest';
import { histogramNotes } from '../../../src/viz/components/TimelineLanes';

describe('the histogram lane’s notes', () => {
  it('invite a click and say the peak in full for a run that fits the words', () => {
    expect(histogramNotes(10_001, 10_000)).toEqual(['10,001 · click to see', 'peak 10,000 at once']);
    expect(histogramNotes(151, 37.4)).toEqual(['151 · click to see', 'peak 37 at once']);
  });

  it('word a run of hundreds of thousands or millions shorter, with the exact counts', () => {
    expect(histogramNotes(400_000, 250_000)).toEqual(['400,000 requests', 'peak 250,000']);
    const fits = Math.max(...histogramNotes(10_001, 10_000).map((line) => line.length));
    for (const total of [99_999, 100_000, 1_234_567, 12_345_678])
      for (const line of histogramNotes(total, total)) expect(line.length).toBeLessThanOrEqual(fits);
  });
});
