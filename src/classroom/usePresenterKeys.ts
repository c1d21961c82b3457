import { sharedActions } from '../lab/actions';
import type { LabSystem } from '../lab/system';
import { useKeyActions } from '../lab/useKeyActions';
import type { RunPlanDraft } from '../viz/components/RunControls';
import { presenterAction, type PresenterAction } from './presenterKeys';

interface ViewHandlers {
  plan: RunPlanDraft;
  toggle: (panel: 'controls' | 'lessons' | 'qr' | 'students') => void;
  close: () => void;
}

function presenterActions(lab: LabSystem, h: ViewHandlers): Record<PresenterAction, () => void> {
  return {
    ...sharedActions(lab, h.plan),
    'view.controls': () => h.toggle('controls'),
    'view.lessons': () => h.toggle('lessons'),
    'view.qr': () => h.toggle('qr'),
    'view.students': () => h.toggle('students'),
    'view.close': h.close,
  };
}

/** One keydown listener for the presenter view, routed to the lab's machines. */
export function usePresenterKeys(handlers: ViewHandlers) {
  useKeyActions(handlers, presenterAction, presenterActions);
}
