import { useEffect, useRef } from 'react';
import { useLab } from '../lab/LabContext';
import type { RunPlanDraft } from '../viz/components/RunControls';
import { presenterAction, type PresenterAction } from './presenterKeys';
import { sharedActions } from '../lab/actions';

interface ViewHandlers {
  plan: RunPlanDraft;
  toggle: (panel: 'controls' | 'lessons' | 'qr') => void;
  close: () => void;
}

/** One keydown listener for the presenter view, routed to the lab's machines. */
export function usePresenterKeys(handlers: ViewHandlers) {
  const lab = useLab();
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    const run = (action: PresenterAction) => {
      const h = latest.current;
      const table: Record<PresenterAction, () => void> = {
        ...sharedActions(lab, h.plan),
        'view.controls': () => h.toggle('controls'),
        'view.lessons': () => h.toggle('lessons'),
        'view.qr': () => h.toggle('qr'),
        'view.close': h.close,
      };
      table[action]();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const action = presenterAction(event);
      if (!action) return;
      event.preventDefault();
      run(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lab]);
}
