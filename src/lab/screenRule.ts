/**
 * Which run takes the screen when a live batch arrives. The screen follows one run at a
 * time; a batch may move it to another run only when
 * - nothing is on screen yet, or
 * - it holds requests sent by hand (runId null) while the page is live and no run is
 *   starting or running, so "Send one request" shows at once.
 * Samples alone (the subject reports them between runs too) never take the screen, a run
 * in progress is never pushed off it by hand-sent requests, and neither are the requests
 * the lab sends to measure this machine (calibration).
 */
export interface ScreenFacts {
  /** The run the batch belongs to (the store's id for it). */
  batchRun: string;
  /** Whether the batch came with runId null: requests sent by hand. */
  sentByHand: boolean;
  /** Whether the batch holds any request event (not only samples). */
  hasRequests: boolean;
  /** The run on screen, if any. */
  onScreen: string | undefined;
  /** Playback follows the newest event (not a replay or a pause). */
  playbackLive: boolean;
  /** A run is being started or is running. */
  runInProgress: boolean;
  /** The lab is measuring this machine with requests of its own. */
  calibrating?: boolean;
}

export function batchTakesTheScreen(facts: ScreenFacts): boolean {
  if (facts.batchRun === facts.onScreen) return false;
  if (!facts.onScreen) return true;
  return facts.playbackLive && !facts.runInProgress && !facts.calibrating && facts.sentByHand && facts.hasRequests;
}
