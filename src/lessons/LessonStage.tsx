import { useContext, useRef } from 'react';
import { LabContext } from '../lab/LabContext';
import { labLinkFor, type LabLink } from '../lab/labLink';
import { storyWindow } from '../trace/window';
import { HeldConnections } from '../viz/components/HeldConnections';
import { LoopView } from '../viz/components/LoopView';
import { Narration } from '../viz/components/Narration';
import { PlaybackControls } from '../viz/components/PlaybackControls';
import { TimelineView } from '../viz/components/TimelineView';
import { useStage } from '../viz/components/useStage';
import { useBackend } from './BackendBadge';

const reducedMotion =
  typeof window !== 'undefined' && (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false);

function StageViews({ navigate, recording }: { navigate: (path: string) => void; recording: LabLink['recording'] }) {
  const stage = useStage();
  const svgRef = useRef<SVGSVGElement>(null);
  const href = labLinkFor({ runId: stage.runId, recording });
  return (
    <>
      <LoopView
        snapshot={stage.snapshot}
        mode={stage.mode}
        total={stage.total}
        reducedMotion={reducedMotion}
        publishedAt={stage.publishedAt}
      />
      <HeldConnections trace={stage.trace} />
      <Narration text={stage.narration} />
      <PlaybackControls {...storyWindow(stage.trace)} compact />
      <TimelineView view={stage.view} svgRef={svgRef} compact />
      <p className="lesson-live-link">
        <a
          href={href}
          onClick={(event) => {
            if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
            event.preventDefault();
            navigate(href);
          }}
        >
          Open this run in the full lab (code, numbers, comparison)
        </a>
      </p>
    </>
  );
}

/**
 * The lesson's stage, beside the step: the loop, the narration, the replay controls and a
 * compact timeline of the run on screen. The lab system lives above the routes and follows
 * every run, so the run an experiment starts plays here live, then replays slowly; the full
 * lab opens on the same run. Without a lab system (the player rendered on its own) there is
 * nothing to show.
 */
export function LessonStage({
  navigate,
  recording,
}: {
  navigate: (path: string) => void;
  /** The step whose recording replays when no lab answers (so the full lab can load it too). */
  recording: LabLink['recording'];
}) {
  const lab = useContext(LabContext);
  const backend = useBackend();
  if (!lab) return null;
  return (
    <section className="lesson-live" aria-labelledby="live-heading" data-testid="lesson-stage">
      <h2 id="live-heading">{backend === 'recorded' ? 'The loop, replaying a recorded run' : 'The loop'}</h2>
      <StageViews navigate={navigate} recording={backend === 'recorded' ? recording : undefined} />
    </section>
  );
}
