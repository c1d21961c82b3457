/**
 * The actions every keyboard layout shares (the lab page's shortcuts and the presenter's
 * keys), sent to the lab's machines. Each layout adds its own view actions on top.
 */
import type { RunPlanDraft } from '../viz/components/RunControls';
import type { LabSystem } from './system';

export type SharedAction =
  'mode.toggle' | 'run.fire' | 'playback.toggle' | 'playback.back' | 'playback.forward' | 'playback.live';

export function sharedActions(lab: LabSystem, plan: RunPlanDraft): Record<SharedAction, () => void> {
  const mode = lab.config.getSnapshot().context.config.mode;
  return {
    'mode.toggle': () =>
      lab.config.send({ type: 'config.change', patch: { mode: mode === 'blocking' ? 'nonblocking' : 'blocking' } }),
    'run.fire': () => lab.run.send({ type: 'run.fire', plan }),
    'playback.toggle': () => lab.playback.send({ type: 'playback.toggle' }),
    'playback.back': () => lab.playback.send({ type: 'playback.step', direction: -1 }),
    'playback.forward': () => lab.playback.send({ type: 'playback.step', direction: 1 }),
    'playback.live': () => lab.playback.send({ type: 'playback.live' }),
  };
}
