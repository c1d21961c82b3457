import { useEffect, useRef, type RefObject } from 'react';
import { api } from '../../api/client';
import { useLab } from '../../lab/LabContext';
import { isTyping, shortcutFor, type ShortcutAction } from '../shortcuts';
import type { RunPlanDraft } from './RunControls';
import type { ViewName } from './ViewTabs';
import { sharedActions } from '../../lab/actions';

interface Handlers {
  plan: RunPlanDraft;
  setView: (view: ViewName) => void;
  toggleHelp: () => void;
  importRef: RefObject<HTMLInputElement | null>;
  exportRun: () => void;
  exportSvg: () => void;
}

/** Routes the shortcut table to the machines: one keydown listener for the whole lab. */
export function useShortcuts(handlers: Handlers) {
  const lab = useLab();
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const run = (action: ShortcutAction) => {
      const h = latest.current;
      const speed = lab.playback.getSnapshot().context.speed;
      const table: Record<ShortcutAction, () => void> = {
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
      table[action]();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      // Space and arrows belong to the focused button, tab or slider.
      const ownsKey = target?.closest?.('[role="tab"], [role="radio"], button, summary, a') && [' ', 'ArrowLeft', 'ArrowRight', 'Enter'].includes(event.key);
      const action = shortcutFor(event, isTyping(event.target) || Boolean(ownsKey));
      if (!action) return;
      event.preventDefault();
      run(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lab]);
}
