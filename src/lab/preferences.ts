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
