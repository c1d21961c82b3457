import type { RefObject } from 'react';
import { api } from '../../api/client';
import { sharedActions } from '../../lab/actions';
import type { LabSystem } from '../../lab/system';
import { useKeyActions } from '../../lab/useKeyActions';
import { isTyping, shortcutFor, type ShortcutAction } from '../shortcuts';
import type { RunPlanDraft } from './RunControls';
import type { ViewName } from './ViewTabs';

interface Handlers {
  plan: RunPlanDraft;
  setView: (view: ViewName) => void;
  toggleHelp: () => void;
  importRef: RefObject<HTMLInputElement | null>;
  exportRun: () => void;
  exportSvg: () => void;
}

function labShortcut(event: KeyboardEvent): ShortcutAction | null | undefined {
  const target = event.target as HTMLElement | null;
  // Space and arrows belong to the focused button, tab or slider.
  const ownsKey =
    target?.closest?.('[role="tab"], [role="radio"], button, summary, a') &&
    [' ', 'ArrowLeft', 'ArrowRight', 'Enter'].includes(event.key);
  return shortcutFor(event, isTyping(event.target) || Boolean(ownsKey));
}

function labActions(lab: LabSystem, h: Handlers): Record<ShortcutAction, () => void> {
  const speed = lab.playback.getSnapshot().context.speed;
  return {
    ...sharedActions(lab, h.plan),
    'mode.blocking': () => lab.config.send({ type: 'config.change', patch: { mode: 'blocking' } }),
    'mode.nonblocking': () => lab.config.send({ type: 'config.change', patch: { mode: 'nonblocking' } }),
    'run.one': () => void api.sendOne().catch(() => undefined),
    'playback.slower': () => lab.playback.send({ type: 'playback.speed', speed: speed / 2 }),
    'playback.faster': () => lab.playback.send({ type: 'playback.speed', speed: speed * 2 }),
    'view.timeline': () => h.setView('timeline'),
    'view.code': () => h.setView('code'),
    'view.numbers': () => h.setView('numbers'),
    'view.compare': () => h.setView('compare'),
    'run.export': h.exportRun,
    'run.import': () => h.importRef.current?.click(),
    'timeline.svg': h.exportSvg,
    help: h.toggleHelp,
  };
}

/** Routes the shortcut table to the machines: one keydown listener for the whole lab. */
export function useShortcuts(handlers: Handlers) {
  useKeyActions(handlers, labShortcut, labActions);
}
