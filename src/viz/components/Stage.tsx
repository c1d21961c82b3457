import { useDeferredValue, type ComponentProps, type RefObject } from 'react';
import { useSelector } from '@xstate/react';
import { useLab, useStoreView } from '../../lab/LabContext';
import { cachedFor } from '../../trace/cache';
import { NO_TRACE } from '../../trace/store';
import { storyWindow } from '../../trace/window';
import { detailKey } from '../detailKey';
import { CodeView } from './CodeView';
import { CompareView } from './CompareView';
import { FirstRunHint } from './FirstRunHint';
import { HeldConnections } from './HeldConnections';
import { LoopView } from './LoopView';
import { Narration } from './Narration';
import { NumbersView } from './NumbersView';
import { PlaybackControls } from './PlaybackControls';
import { TimelineView } from './TimelineView';
import { TokenLegend } from './TokenLegend';
import { useStage } from './useStage';
import { ViewTabs, type ViewName } from './ViewTabs';

const reducedMotion =
  typeof window !== 'undefined' && (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false);

/**
 * The numbers follow t a little behind the loop. Deferred here, not in Stage: a deferred value
 * that moves every frame renders the whole stage a second time every frame, shown or not.
 */
function DeferredNumbers({ t, ...props }: ComponentProps<typeof NumbersView>) {
  return <NumbersView {...props} t={useDeferredValue(t)} />;
}

/** The comparison follows the store (every live batch) a little behind, only while it is shown. */
function DeferredCompare() {
  return <CompareView runs={useDeferredValue(useStoreView())} />;
}

/** The loop (hero), the narration, playback and the detail views: everything that moves with t. */
export function Stage({
  view,
  setView,
  svgRef,
}: {
  view: ViewName;
  setView: (v: ViewName) => void;
  svgRef: RefObject<SVGSVGElement | null>;
}) {
  const lab = useLab();
  const stage = useStage();
  // The detail views are heavier than the loop: React may render them a little behind,
  // so a burst of trace events never costs the hero animation its frames.
  const live = useSelector(lab.playback, (s) => s.matches('live'));
  const { trace } = stage;
  const key = detailKey(Number(stage.version), live, trace?.endT ?? 0, trace?.finished !== undefined);
  // The detail views' own view of the run: a new object only when their key moves.
  const detail = useDeferredValue(
    trace ? cachedFor(trace, 'detail-view', key, () => ({ trace, version: key })) : NO_TRACE,
  );
  return (
    <main className="stage" id="stage" tabIndex={-1}>
      <section className="hero" aria-labelledby="loop-title">
        <h2 id="loop-title" className="visually-hidden">
          The loop
        </h2>
        <LoopView
          snapshot={stage.snapshot}
          mode={stage.mode}
          total={stage.total}
          reducedMotion={reducedMotion}
          publishedAt={stage.publishedAt}
        />
        <Narration text={stage.narration} />
        <TokenLegend />
        <FirstRunHint />
        <HeldConnections trace={stage.trace} />
        <PlaybackControls {...storyWindow(stage.trace)} />
      </section>
      <ViewTabs view={view} setView={setView}>
        {view === 'timeline' && <TimelineView view={detail} svgRef={svgRef} />}
        {view === 'code' && (
          <CodeView
            handler={stage.handler}
            follow={stage.follow}
            step={stage.step}
            ran={stage.trace?.started?.handlers}
            hasRun={stage.trace?.started !== undefined}
          />
        )}
        {view === 'numbers' && <DeferredNumbers view={detail} t={stage.t} config={stage.config} />}
        {view === 'compare' && <DeferredCompare />}
      </ViewTabs>
    </main>
  );
}
