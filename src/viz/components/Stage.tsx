import {
  useDeferredValue,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type ComponentProps,
  type RefObject,
} from 'react';
import { useSelector } from '@xstate/react';
import { useLab, useStoreView } from '../../lab/LabContext';
import { cachedFor } from '../../trace/cache';
import { NO_TRACE } from '../../trace/store';
import { storyWindow } from '../../trace/window';
import { detailKey, liveStepDelay } from '../detailKey';
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
function DeferredNumbers({ t, view, ...props }: ComponentProps<typeof NumbersView>) {
  return <NumbersView {...props} view={useDeferredValue(view)} t={useDeferredValue(t)} />;
}

/**
 * The timeline takes a new view when the page is idle, in one render. Deferred by React instead,
 * its render was a background render that every frame's own render (the loop moves every frame)
 * threw away and started over: while a live run streams, it was paid for again and again and
 * seldom shown. While live, each step's cost (its render until the frame after it is painted)
 * spaces the next (liveStepDelay): on a slow machine the timeline steps less often, and the
 * loop above it keeps its frames.
 */
function IdleTimeline({ view, svgRef, live }: ComponentProps<typeof TimelineView> & { live: boolean }) {
  const [shown, setShown] = useState(view);
  /** When the last step's render began (set when it is asked for, cleared once it is measured). */
  const stepStarted = useRef<number | undefined>(undefined);
  const lastStep = useRef({ costMs: 0, paintedAt: 0 });
  useEffect(() => {
    if (shown === view) return undefined;
    let handle: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const take = () => {
      stepStarted.current = performance.now();
      setShown(view);
    };
    // The timeout bounds how stale the timeline may get on a page that is never idle.
    const whenIdle = () => {
      if (typeof requestIdleCallback === 'function') handle = requestIdleCallback(take, { timeout: 250 });
      else timer = setTimeout(take, 0);
    };
    const { costMs, paintedAt } = lastStep.current;
    const wait = live ? liveStepDelay(costMs, performance.now() - paintedAt) : 0;
    if (wait > 0) timer = setTimeout(whenIdle, wait);
    else whenIdle();
    return () => {
      if (handle !== undefined) cancelIdleCallback(handle);
      clearTimeout(timer);
    };
  }, [view, shown, live]);
  // On commit, before the browser draws the new lanes.
  useLayoutEffect(() => {
    const started = stepStarted.current;
    if (started === undefined) return undefined;
    stepStarted.current = undefined;
    // A frame callback runs before the frame's style, layout and paint; a task queued from it, after them.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => {
        const paintedAt = performance.now();
        // A hidden page draws no frames: what passed is not the step's cost.
        const costMs = document.visibilityState === 'visible' ? paintedAt - started : 0;
        lastStep.current = { costMs, paintedAt };
      }, 0);
    });
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [shown]);
  return <TimelineView view={shown} svgRef={svgRef} />;
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
  // The detail views are heavier than the loop: they follow the run a little behind (the
  // timeline on idle time, the numbers deferred), so a burst of trace events never costs
  // the hero animation its frames.
  const live = useSelector(lab.playback, (s) => s.matches('live'));
  const { trace } = stage;
  const key = detailKey(Number(stage.version), live, trace?.endT ?? 0, trace?.finished !== undefined);
  // The detail views' own view of the run: a new object only when their key moves.
  const detail = trace ? cachedFor(trace, 'detail-view', key, () => ({ trace, version: key })) : NO_TRACE;
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
        {view === 'timeline' && <IdleTimeline view={detail} svgRef={svgRef} live={live} />}
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
