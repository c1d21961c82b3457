/**
 * Every keyboard shortcut in one table: the help overlay lists it and the key handler
 * uses it, so they cannot disagree.
 */
export type ShortcutAction =
  | 'mode.blocking'
  | 'mode.nonblocking'
  | 'mode.toggle'
  | 'run.fire'
  | 'run.one'
  | 'playback.toggle'
  | 'playback.back'
  | 'playback.forward'
  | 'playback.live'
  | 'playback.slower'
  | 'playback.faster'
  | 'view.timeline'
  | 'view.code'
  | 'view.numbers'
  | 'view.compare'
  | 'run.export'
  | 'run.import'
  | 'timeline.svg'
  | 'help';

export const SHORTCUTS: ReadonlyArray<{ keys: string[]; action: ShortcutAction; description: string }> = [
  { keys: ['b'], action: 'mode.blocking', description: 'Blocking mode' },
  { keys: ['n'], action: 'mode.nonblocking', description: 'Non-blocking mode' },
  { keys: ['m'], action: 'mode.toggle', description: 'Switch mode' },
  { keys: ['f'], action: 'run.fire', description: 'Fire N requests' },
  { keys: ['o'], action: 'run.one', description: 'Send one request' },
  { keys: [' ', 'k'], action: 'playback.toggle', description: 'Play / pause' },
  { keys: ['ArrowLeft', ','], action: 'playback.back', description: 'Step back one event' },
  { keys: ['ArrowRight', '.'], action: 'playback.forward', description: 'Step forward one event' },
  { keys: ['l'], action: 'playback.live', description: 'Go live' },
  { keys: ['['], action: 'playback.slower', description: 'Slower' },
  { keys: [']'], action: 'playback.faster', description: 'Faster' },
  { keys: ['1'], action: 'view.timeline', description: 'Timeline view' },
  { keys: ['2'], action: 'view.code', description: 'Code view' },
  { keys: ['3'], action: 'view.numbers', description: 'Numbers view' },
  { keys: ['4'], action: 'view.compare', description: 'Compare view' },
  { keys: ['e'], action: 'run.export', description: 'Export the run (trace file)' },
  { keys: ['i'], action: 'run.import', description: 'Import a trace file' },
  { keys: ['s'], action: 'timeline.svg', description: 'Save the timeline as SVG' },
  { keys: ['?'], action: 'help', description: 'Show / hide this help' },
];

const KEY_NAMES: Record<string, string> = { ' ': 'Space', ArrowLeft: '←', ArrowRight: '→' };
export const keyName = (key: string) => KEY_NAMES[key] ?? key;

/** The action for a key press, unless the reader is typing or using a modifier. */
export function shortcutFor(
  event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'altKey'>,
  typing: boolean,
): ShortcutAction | undefined {
  if (typing || event.ctrlKey || event.metaKey || event.altKey) return undefined;
  return SHORTCUTS.find((s) => s.keys.includes(event.key))?.action;
}

/** Inputs that take no typing: keys pressed on them are still the page's shortcuts. */
const NOT_TYPED = ['button', 'checkbox', 'radio', 'file', 'submit', 'reset'];

/**
 * Keys typed into a text field, a slider, a select or an editor are theirs, not ours. The
 * one check for the lab's shortcuts, the presenter's keys and the lessons' j / k.
 */
export function isTyping(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement)
    return true;
  return target instanceof HTMLInputElement && !NOT_TYPED.includes(target.type);
}
