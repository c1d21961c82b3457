import { describe, expect, it } from 'vitest';
import { heldLine } from '../../../src/viz/components/HeldConnections';

describe('the held-connections line', () => {
  it('says how many were held, what each cost, the loop delay and the publish-to-last-answer time', () => {
    expect(
      heldLine({
        peakConcurrent: 10_000,
        subjectMemory: { idleRssBytes: 60e6, peakRssBytes: 60e6 + 31_744_000, perConnectionBytes: 3174 },
        waitingLoopDelayMs: 2.4,
        arrivalLoopDelayMs: 1021.3,
        publishToLastAnswerMs: 1180.2,
      }),
    ).toBe(
      '10,000 connections held · 3.1 KB each · loop delay 2 ms while they waited (1,021 ms as they arrived) · all answered 1,180 ms after the publish',
    );
  });

  it('leaves the arrivals out when they cost the loop no more than the wait', () => {
    expect(heldLine({ peakConcurrent: 16, waitingLoopDelayMs: 47.2, arrivalLoopDelayMs: 3 })).toBe(
      '16 connections held · loop delay 47 ms while they waited',
    );
  });

  it('says one connection, without a per-connection cost, for a blocking run', () => {
    expect(
      heldLine({
        peakConcurrent: 1,
        subjectMemory: { idleRssBytes: 1, peakRssBytes: 2, perConnectionBytes: 1 },
        waitingLoopDelayMs: 1000,
      }),
    ).toBe('1 connection held · loop delay 1,000 ms while they waited');
  });

  it('says nothing for a run that is not a long-poll run', () => {
    expect(heldLine({})).toBeUndefined();
  });
});
