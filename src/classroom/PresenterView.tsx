import { useMachine, useSelector } from '@xstate/react';
import { lazy, Suspense, useMemo, useState, type ComponentType } from 'react';
import { useLab } from '../lab/LabContext';
import { LoopView } from '../viz/components/LoopView';
import { KnobsPanel, type Preset } from '../viz/components/KnobsPanel';
import { ModeSwitch } from '../viz/components/ModeSwitch';
import { Narration } from '../viz/components/Narration';
import { PlaybackControls } from '../viz/components/PlaybackControls';
import { RunControls, type RunPlanDraft } from '../viz/components/RunControls';
import { useStage } from '../viz/components/useStage';
import { JoinPanel } from './JoinPanel';
import { leaderboard } from './leaderboard';
import { Leaderboard } from './Leaderboard';
import { keyLabel, PRESENTER_KEYS } from './presenterKeys';
import { roomMachine } from './roomMachine';
import { RoomView } from './RoomView';
import { StudentsPanel } from './StudentsPanel';
import { usePresenterKeys } from './usePresenterKeys';
import './classroom.css';

type Panel = 'controls' | 'lessons' | 'qr' | 'students';

// The lesson player is another module; the glob keeps this view building without it.
const lessonModules = import.meta.glob<{ default: ComponentType<{ path: string; navigate: (path: string) => void }> }>(
  '../lessons/LessonPlayer.tsx',
);
const loadLessons = lessonModules['../lessons/LessonPlayer.tsx'];
const LessonPlayer = loadLessons ? lazy(loadLessons) : null;

/** The projector: big loop, the room's labelled requests, the join QR and the board; controls on demand. */
export default function PresenterView() {
  const lab = useLab();
  const stage = useStage();
  const [room] = useMachine(roomMachine);
  const [open, setOpen] = useState<Panel | undefined>('qr');
  const [lessonPath, setLessonPath] = useState('/lessons');
  const [plan, setPlan] = useState<RunPlanDraft>({ requests: 10, concurrency: 10, route: 'getUser' });
  const mode = useSelector(lab.config, (s) => s.context.config.mode);
  const applyPreset = (preset: Preset) => {
    lab.config.send({ type: 'config.change', patch: preset.config });
    setPlan({ ...plan, ...preset.run });
  };
  const toggle = (panel: Panel) => setOpen((current) => (current === panel ? undefined : panel));
  usePresenterKeys({ plan, toggle, close: () => setOpen(undefined) });
  const { view } = stage;
  const board = useMemo(() => leaderboard(view.trace?.lifecycles ?? []), [view]);
  const info = room.context.info;
  const enterFullScreen = () => void document.documentElement.requestFullscreen?.().catch(() => undefined);

  if (room.matches('off')) {
    return (
      <main className="presenter presenter-note">
        <h1>Classroom mode is off</h1>
        <p>
          Start the lab with <code>npm start -- --classroom</code> and open the presenter link it prints.
        </p>
      </main>
    );
  }
  if (info && info.role !== 'presenter') {
    return (
      <main className="presenter presenter-note" data-testid="not-presenter">
        <h1>This is the presenter's screen</h1>
        <p>
          Open the presenter link the lab printed in its terminal. Students join at <strong>{info.joinUrl}</strong>.
        </p>
      </main>
    );
  }
  const start = stage.trace?.startT ?? 0;
  const end = stage.trace?.endT ?? 0;
  return (
    <div className="presenter" data-testid="presenter" data-mode={mode}>
      <header className="presenter-top">
        <h1 className={`presenter-mode mode-${mode}`} data-testid="presenter-mode">
          {mode === 'blocking' ? 'Blocking' : 'Non-blocking'}
        </h1>
        {info && (
          <span className="presenter-count">
            {info.students} phones · {info.joinUrl}
          </span>
        )}
        <button type="button" onClick={enterFullScreen}>
          Full screen
        </button>
        <button type="button" aria-expanded={open === 'controls'} onClick={() => toggle('controls')}>
          Controls <kbd>C</kbd>
        </button>
        <button
          type="button"
          aria-expanded={open === 'students'}
          onClick={() => toggle('students')}
          data-testid="students-toggle"
        >
          Students <kbd>S</kbd>
        </button>
      </header>
      <main className="presenter-stage">
        <section className="presenter-loop">
          <LoopView
            snapshot={stage.snapshot}
            mode={stage.mode}
            total={stage.total}
            reducedMotion={false}
            publishedAt={stage.publishedAt}
          />
          <Narration text={stage.narration} />
        </section>
        <RoomView snapshot={stage.snapshot} />
        <aside className="presenter-side">
          {info && <JoinPanel info={info} large={open === 'qr'} />}
          <Leaderboard rows={board} />
        </aside>
      </main>
      {open === 'controls' && (
        <section className="presenter-drawer" aria-label="Controls" data-testid="presenter-controls">
          <ModeSwitch />
          <RunControls plan={plan} setPlan={setPlan} />
          <KnobsPanel onPreset={applyPreset} />
          <PlaybackControls start={start} end={end} />
        </section>
      )}
      {open === 'students' && (
        <section className="presenter-drawer" aria-label="Students" data-testid="presenter-students">
          <StudentsPanel />
        </section>
      )}
      {open === 'lessons' && LessonPlayer && (
        <section className="presenter-drawer presenter-lessons" aria-label="Lesson">
          <Suspense fallback={<p>Loading the lesson…</p>}>
            <LessonPlayer path={lessonPath} navigate={setLessonPath} />
          </Suspense>
        </section>
      )}
      <footer className="presenter-keys" aria-label="Keyboard shortcuts">
        {PRESENTER_KEYS.map((k) => (
          <span key={k.action}>
            <kbd>{keyLabel(k.keys[0]!)}</kbd> {k.label}
          </span>
        ))}
      </footer>
    </div>
  );
}
