import { useRef, useState, type RefObject } from 'react';
import { useLab } from '../../lab/LabContext';
import { CodeView } from './CodeView';
import { CompareView } from './CompareView';
import { exportPng, exportSvg, exportTrace } from './exportFiles';
import { HelpOverlay } from './HelpOverlay';
import { KnobsPanel, type Preset } from './KnobsPanel';
import { LoopView } from './LoopView';
import { ModeSwitch } from './ModeSwitch';
import { Narration } from './Narration';
import { NumbersView } from './NumbersView';
import { PlaybackControls } from './PlaybackControls';
import { RunControls, type RunPlanDraft } from './RunControls';
import { RunsPanel } from './RunsPanel';
import { StatusBar } from './StatusBar';
import { TimelineView } from './TimelineView';
import { useShortcuts } from './useShortcuts';
import { useStage } from './useStage';
import { ViewTabs, type ViewName } from './ViewTabs';

const reducedMotion = typeof window !== 'undefined' && (window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false);

/** The lab: controls on the left, the loop (hero) and the detail views on the right. */
export function LabPage({ navigate }: { navigate: (path: string) => void }) {
  const lab = useLab();
  const stage = useStage();
  const [view, setView] = useState<ViewName>('timeline');
  const [help, setHelp] = useState(false);
  const [plan, setPlan] = useState<RunPlanDraft>({ requests: 10, concurrency: 10, route: 'getUser' });
  const importRef = useRef<HTMLInputElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const name = `timeline-${stage.runId ?? 'run'}`;
  const actions = {
    exportRun: () => stage.trace && exportTrace(stage.trace.runId, stage.trace.events),
    exportSvg: () => {
      setView('timeline');
      requestAnimationFrame(() => svgRef.current && exportSvg(svgRef.current, name));
    },
    exportPng: () => {
      setView('timeline');
      requestAnimationFrame(() => svgRef.current && void exportPng(svgRef.current, name));
    },
  };
  useShortcuts({ plan, setView, toggleHelp: () => setHelp((h) => !h), importRef, ...actions });
  const applyPreset = (preset: Preset) => {
    lab.config.send({ type: 'config.change', patch: preset.config });
    setPlan({ ...plan, ...preset.run });
  };
  const start = stage.trace?.startT ?? 0;
  const end = stage.trace?.endT ?? 0;
  return (
    <div className="lab">
      <a className="skip-link" href="#stage">Skip to the loop</a>
      <header className="topbar">
        <h1>Event Loop Lab</h1>
        <ModeSwitch />
        <nav aria-label="Pages" className="nav">
          <a href="/lessons" onClick={(e) => (e.preventDefault(), navigate('/lessons'))}>Lessons</a>
          <button type="button" onClick={() => setHelp(true)} aria-keyshortcuts="?">Shortcuts <kbd>?</kbd></button>
        </nav>
        <StatusBar />
      </header>
      <aside className="controls" aria-label="Controls">
        <RunControls plan={plan} setPlan={setPlan} />
        <KnobsPanel onPreset={applyPreset} />
        <RunsPanel importRef={importRef} onExport={actions.exportRun} onExportSvg={actions.exportSvg} onExportPng={actions.exportPng} />
      </aside>
      <main className="stage" id="stage" tabIndex={-1}>
        <section className="hero" aria-labelledby="loop-title">
          <h2 id="loop-title" className="visually-hidden">The loop</h2>
          <LoopView snapshot={stage.snapshot} mode={stage.mode} total={stage.total} reducedMotion={reducedMotion} />
          <Narration text={stage.narration} />
          <PlaybackControls start={start} end={end} />
        </section>
        <ViewTabs view={view} setView={setView}>
          {view === 'timeline' && <TimelineSlot stage={stage} svgRef={svgRef} />}
          {view === 'code' && <CodeView handler={stage.handler} follow={stage.follow} step={stage.step} />}
          {view === 'numbers' && <NumbersView trace={stage.trace} version={stage.version} t={stage.t} config={stage.config} />}
          {view === 'compare' && <CompareView store={lab.store} version={stage.version} />}
        </ViewTabs>
      </main>
      <HelpOverlay open={help} onClose={() => setHelp(false)} />
    </div>
  );
}

function TimelineSlot({ stage, svgRef }: { stage: ReturnType<typeof useStage>; svgRef: RefObject<SVGSVGElement | null> }) {
  return <TimelineView trace={stage.trace} version={stage.version} t={stage.t} svgRef={svgRef} />;
}
