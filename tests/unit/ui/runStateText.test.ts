import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import { runStateText } from '../../../src/viz/components/RunControls';

const summary = (extra: Partial<RunSummary>) => ({ completed: 10, durationMs: 123.4, ...extra }) as RunSummary;

describe('the run state in words', () => {
  it('says what a closed run did', () => {
    expect(runStateText('idle', undefined, undefined)).toBe('No run yet.');
    expect(runStateText('done', summary({}), undefined)).toBe('Done: 10 requests in 123 ms.');
    expect(runStateText('failed', undefined, 'the subject restarted')).toBe('Failed: the subject restarted');
  });

  it('says how many arrivals an open loop never sent, and that a sampled trace is sampled', () => {
    const text = runStateText('done', summary({ completed: 30_000, notSent: 397_152, tracedOneIn: 4 }), undefined);
    expect(text).toContain('397,152 not sent: the generator was saturated (at most 1,000 in flight).');
    expect(text).toContain('The trace keeps 1 request in 4; the numbers count them all.');
    expect(runStateText('done', summary({ notSent: 0 }), undefined)).not.toContain('not sent');
  });
});
