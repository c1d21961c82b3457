import { useContext } from 'react';
import { LabContext } from '../lab/LabContext';
import { useBackend } from './BackendBadge';
import { LoopView } from '../viz/components/LoopView';
import { Narration } from '../viz/components/Narration';
import { useStage } from '../viz/components/useStage';

const reducedMotion =
  typeof window !== 'undefined' && (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false);

function LiveLoopView() {
  const stage = useStage();
  return (
    <>
      <LoopView snapshot={stage.snapshot} mode={stage.mode} total={stage.total} reducedMotion={reducedMotion} />
      <Narration text={stage.narration} />
    </>
  );
}

/**
 * The visualizer's loop, beside the step: the run an experiment starts plays here live
 * (the lab system lives above the routes and follows every run). Without a lab system
 * (the player rendered on its own) there is nothing to show.
 */
export function LiveLoop() {
  const lab = useContext(LabContext);
  const backend = useBackend();
  if (!lab) return null;
  return (
    <section className="lesson-live" aria-labelledby="live-heading">
      <h2 id="live-heading">{backend === 'recorded' ? 'The loop, replaying a recorded run' : 'The loop, live'}</h2>
      <p className="lesson-live-link">
        <a href="/" target="_blank" rel="noopener">
          Open the full lab (timeline, numbers, code) in a new tab
        </a>
      </p>
      <LiveLoopView />
    </section>
  );
}
