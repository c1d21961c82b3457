import { useSelector } from '@xstate/react';
import { useState } from 'react';
import { useLab } from '../../lab/LabContext';
import { loadHintDismissed, saveHintDismissed } from '../../lab/preferences';

/**
 * What to press first, until the first run of a visit: the one experiment the lab is for,
 * in three moves. Gone once a run starts or one is replayed; "Got it" puts it away for good.
 */
export function FirstRunHint() {
  const lab = useLab();
  const [dismissed, setDismissed] = useState(loadHintDismissed);
  const noRun = useSelector(lab.run, (s) => s.matches('idle'));
  const replaying = useSelector(lab.playback, (s) => !s.matches('live'));
  if (dismissed || !noRun || replaying) return null;
  return (
    <section className="first-run" aria-labelledby="first-run-title" data-testid="first-run-hint">
      <h2 id="first-run-title">New here? Try this first</h2>
      <ol>
        <li>
          Press <strong>Blocking</strong> (<kbd>b</kbd>), then <strong>Fire</strong> (<kbd>f</kbd>): ten requests queue
          at the door, one served at a time.
        </li>
        <li>
          Press <strong>Non-blocking</strong> (<kbd>n</kbd>) and fire again: all ten wait on the database together.
        </li>
        <li>
          Step through either run (<kbd>←</kbd> <kbd>→</kbd>), or open the <strong>Code</strong> tab (<kbd>2</kbd>) to
          see the line each request is on.
        </li>
      </ol>
      <p>
        Or follow the <a href="/lessons">lessons</a>, step by step.{' '}
        <button
          type="button"
          onClick={() => {
            saveHintDismissed();
            setDismissed(true);
          }}
        >
          Got it
        </button>
      </p>
    </section>
  );
}
