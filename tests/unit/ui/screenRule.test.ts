import { describe, expect, it } from 'vitest';
import { batchTakesTheScreen, type ScreenFacts } from '../../../src/lab/screenRule';

const handSent: ScreenFacts = {
  batchRun: 'ad-hoc',
  sentByHand: true,
  hasRequests: true,
  onScreen: 'run-1',
  playbackLive: true,
  runInProgress: false,
};

describe('which run takes the screen', () => {
  it('takes an empty screen with any batch', () => {
    expect(batchTakesTheScreen({ ...handSent, onScreen: undefined, sentByHand: false, hasRequests: false })).toBe(true);
  });

  it('shows requests sent by hand at once when the page is live and idle', () => {
    expect(batchTakesTheScreen(handSent)).toBe(true);
  });

  it('never lets samples alone move the screen', () => {
    expect(batchTakesTheScreen({ ...handSent, hasRequests: false })).toBe(false);
  });

  it('keeps a run in progress, a replay or a pause on screen', () => {
    expect(batchTakesTheScreen({ ...handSent, runInProgress: true })).toBe(false);
    expect(batchTakesTheScreen({ ...handSent, playbackLive: false })).toBe(false);
  });

  it("keeps the lab's own measuring requests off the screen", () => {
    expect(batchTakesTheScreen({ ...handSent, calibrating: true })).toBe(false);
  });

  it("leaves another run's stray batch to the run machine (a new run is followed when it starts)", () => {
    expect(batchTakesTheScreen({ ...handSent, batchRun: 'run-2', sentByHand: false })).toBe(false);
  });

  it('does nothing when the batch is the run on screen', () => {
    expect(batchTakesTheScreen({ ...handSent, batchRun: 'run-1', onScreen: 'run-1' })).toBe(false);
  });
});
