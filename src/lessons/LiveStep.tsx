import { useContext, type ReactNode } from 'react';
import { LabContext } from '../lab/LabContext';
import { useStage } from '../viz/components/useStage';

/** Where the request the visualizer follows (the selected one, or the latest to move) is. */
export interface LiveStep {
  handler: string;
  step: string;
  rid: string;
}

function FromStage({ children }: { children: (live: LiveStep | undefined) => ReactNode }) {
  const stage = useStage();
  const live =
    stage.step && stage.follow
      ? { handler: stage.step.handler, step: stage.step.step, rid: stage.follow.rid }
      : undefined;
  return <>{children(live)}</>;
}

/**
 * Hands its children the live step of the run on screen, so the lesson's code follows the
 * visualizer: selecting a request there marks the line it is on here. Without a lab system
 * (the player rendered on its own) there is no live step.
 */
export function WithLiveStep({ children }: { children: (live: LiveStep | undefined) => ReactNode }) {
  const lab = useContext(LabContext);
  return lab ? <FromStage>{children}</FromStage> : <>{children(undefined)}</>;
}
