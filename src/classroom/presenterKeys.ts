/**
 * The presenter's keys (B toggles blocking, F fires a run, space pauses, arrows
 * step), plus a few for the view itself. One table, so the footer and the handler agree.
 */
import { isTyping } from '../viz/shortcuts';

export type PresenterAction =
  | 'mode.toggle'
  | 'run.fire'
  | 'playback.toggle'
  | 'playback.back'
  | 'playback.forward'
  | 'playback.live'
  | 'view.controls'
  | 'view.lessons'
  | 'view.qr'
  | 'view.students'
  | 'view.close';

export const PRESENTER_KEYS: ReadonlyArray<{ keys: string[]; action: PresenterAction; label: string }> = [
  { keys: ['b', 'B'], action: 'mode.toggle', label: 'blocking on/off' },
  { keys: ['f', 'F'], action: 'run.fire', label: 'fire a run' },
  { keys: [' '], action: 'playback.toggle', label: 'pause' },
  { keys: ['ArrowLeft'], action: 'playback.back', label: 'step back' },
  { keys: ['ArrowRight'], action: 'playback.forward', label: 'step' },
  { keys: ['l', 'L'], action: 'playback.live', label: 'live' },
  { keys: ['c', 'C'], action: 'view.controls', label: 'controls' },
  { keys: ['p', 'P'], action: 'view.lessons', label: 'lesson' },
  { keys: ['q', 'Q'], action: 'view.qr', label: 'big QR' },
  { keys: ['s', 'S'], action: 'view.students', label: 'students' },
  { keys: ['Escape'], action: 'view.close', label: 'close' },
];

const KEY_LABELS: Record<string, string> = { ' ': 'Space', ArrowLeft: '←', ArrowRight: '→', Escape: 'Esc' };
export const keyLabel = (key: string) => KEY_LABELS[key] ?? key.toUpperCase();

/** The action for a key press, unless the presenter is typing, using a modifier, or on a control that owns the key. */
export function presenterAction(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey' | 'target'>,
): PresenterAction | undefined {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return undefined;
  const target = event.target as HTMLElement | null;
  const ownsKey =
    target?.closest?.('[role="radio"], [role="tab"], button, a, summary') &&
    [' ', 'ArrowLeft', 'ArrowRight'].includes(event.key);
  if (ownsKey) return undefined;
  return PRESENTER_KEYS.find((k) => k.keys.includes(event.key))?.action;
}
