/**
 * The reader's choices that outlive a page load, kept in localStorage. Storage may be
 * missing or refuse (private windows, tests): then the defaults hold.
 */
const AUTO_REPLAY_KEY = 'event-loop-lab.autoReplay';

/** Whether each finished run replays slowly by itself (default: yes). */
export function loadAutoReplay(): boolean {
  try {
    return globalThis.localStorage?.getItem(AUTO_REPLAY_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function saveAutoReplay(on: boolean): void {
  try {
    globalThis.localStorage?.setItem(AUTO_REPLAY_KEY, on ? 'on' : 'off');
  } catch {
    // Not remembered across loads; this page still honours the choice.
  }
}

const FIRST_RUN_HINT_KEY = 'event-loop-lab.firstRunHint';

/** Whether the reader has put away the "what to press first" hint. */
export function loadHintDismissed(): boolean {
  try {
    return globalThis.localStorage?.getItem(FIRST_RUN_HINT_KEY) === 'dismissed';
  } catch {
    return false;
  }
}

export function saveHintDismissed(): void {
  try {
    globalThis.localStorage?.setItem(FIRST_RUN_HINT_KEY, 'dismissed');
  } catch {
    // Shown again on the next load; nothing else depends on it.
  }
}
