import { useRef, useState } from 'react';
import { useLab } from '../../lab/LabContext';
import { useRunFromLink } from '../../lab/useRunFromLink';
import { exportPng, exportSvg, exportTrace } from './exportFiles';
import { HelpOverlay } from './HelpOverlay';
import { KnobsPanel, type Preset } from './KnobsPanel';
import { ModeSwitch } from './ModeSwitch';
import { RuntimeSwitch } from './RuntimeSwitch';
import { RunControls, type RunPlanDraft } from './RunControls';
import { RunsPanel } from './RunsPanel';
import { Stage } from './Stage';
import { StatusBar } from './StatusBar';
import { useShortcuts } from './useShortcuts';
import type { ViewName } from './ViewTabs';

/**
 * The lab: controls on the left, the stage (loop and detail views) on the right. Only
 * the stage re-renders every frame; the controls re-render when their machines change.
 */
export function LabPage({ navigate }: { navigate: (path: string) => void }) {
  const lab = useLab();
  useRunFromLink(lab, window.location.search);
  const [view, setView] = useState<ViewName>('timeline');
  const [help, setHelp] = useState(false);
  const [plan, setPlan] = useState<RunPlanDraft>({ requests: 10, concurrency: 10, route: 'getUser' });
  const importRef = useRef<HTMLInputElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const currentTrace = () => {
    const runId = lab.playback.getSnapshot().context.runId;
    return runId ? lab.store.run(runId) : undefined;
  };
  const withTimeline = (save: (svg: SVGSVGElement, name: string) => void) => {
    setView('timeline');
    // The timeline may only mount on this render; wait one frame for its SVG.
    requestAnimationFrame(() => svgRef.current && save(svgRef.current, `timeline-${currentTrace()?.runId ?? 'run'}`));
  };
  const actions = {
    exportRun: () => {
      const trace = currentTrace();
      if (trace) exportTrace(trace.runId, trace.events);
    },
    exportSvg: () => withTimeline(exportSvg),
    exportPng: () => withTimeline((svg, name) => void exportPng(svg, name)),
  };
  useShortcuts({ plan, setView, toggleHelp: () => setHelp((h) => !h), importRef, ...actions });
  const applyPreset = (preset: Preset) => {
    lab.config.send({ type: 'config.change', patch: preset.config });
    setPlan({ ...plan, ...preset.run });
  };
  return (
    <div className="lab">
      <a className="skip-link" href="#stage">
        Skip to the loop
      </a>
      <header className="topbar">
        <h1>Event Loop Lab</h1>
        <ModeSwitch />
        <RuntimeSwitch />
        <nav aria-label="Pages" className="nav">
          <a href="/lessons" onClick={(e) => (e.preventDefault(), navigate('/lessons'))}>
            Lessons
          </a>
          <button type="button" onClick={() => setHelp(true)} aria-keyshortcuts="?">
            Shortcuts <kbd>?</kbd>
          </button>
        </nav>
        <StatusBar />
      </header>
      <aside className="controls" aria-label="Controls">
        <RunControls plan={plan} setPlan={setPlan} />
        <KnobsPanel onPreset={applyPreset} />
        <RunsPanel
          importRef={importRef}
          onExport={actions.exportRun}
          onExportSvg={actions.exportSvg}
          onExportPng={actions.exportPng}
        />
      </aside>
      <Stage view={view} setView={setView} svgRef={svgRef} />
      <HelpOverlay open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
