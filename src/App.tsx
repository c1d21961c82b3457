import { lazy, Suspense, type ComponentType } from 'react';
import { isStaticSite } from './api/labOrigin';
import { ConnectLab } from './lab/ConnectLab';
import { parseRoute, useLocationPath } from './routing';
import { LabPage } from './viz/components/LabPage';

interface LessonPlayerProps {
  path: string;
  navigate: (path: string) => void;
}

// The lesson player is another engineer's module; the glob keeps this build working
// whether or not it exists, and keeps lessons out of the lab's initial JavaScript.
const lessonModules = import.meta.glob<{ default: ComponentType<LessonPlayerProps> }>('./lessons/LessonPlayer.tsx');
const loadLessons = lessonModules['./lessons/LessonPlayer.tsx'];
const LessonPlayer = loadLessons ? lazy(loadLessons) : null;

// Classroom mode: the phones' page and the projector's, loaded only there.
const StudentPage = lazy(() => import('./classroom/StudentPage').then((m) => ({ default: m.StudentPage })));
const PresenterView = lazy(() => import('./classroom/PresenterView'));

export function App() {
  return (
    <>
      {isStaticSite() && <ConnectLab />}
      <Routes />
    </>
  );
}

function Routes() {
  const [path, navigate] = useLocationPath();
  const route = parseRoute(path);
  if (route.name === 'lab') return <LabPage navigate={navigate} />;
  if (route.name === 'lessons' && LessonPlayer) {
    return (
      // The page's one main landmark: the player itself is also shown in the presenter's drawer.
      <main className="lessons-page">
        <Suspense fallback={<p className="loading">Loading the lessons…</p>}>
          <LessonPlayer path={route.path} navigate={navigate} />
        </Suspense>
      </main>
    );
  }
  if (route.name === 'not-found' && (route.path === '/join' || route.path === '/presenter')) {
    return (
      <Suspense fallback={<p className="loading">Loading…</p>}>
        {route.path === '/join' ? <StudentPage /> : <PresenterView />}
      </Suspense>
    );
  }
  return (
    <main className="not-found">
      <h1>Nothing here</h1>
      <p>
        <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          Back to the lab
        </a>
      </p>
    </main>
  );
}
