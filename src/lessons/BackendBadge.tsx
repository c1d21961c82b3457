import { useSelector } from '@xstate/react';
import { useContext } from 'react';
import { LabContext } from '../lab/LabContext';
import type { Backend } from '../machines/connectionMachine';

const LABELS: Record<Backend, string> = {
  unknown: 'Looking for the lab server…',
  live: 'Live',
  recorded: 'Recorded run (no lab server)',
};

const TITLES: Record<Backend, string> = {
  unknown: 'Experiments run live once the lab server answers.',
  live: 'Experiments run now, on the lab server.',
  recorded:
    'No lab server answers, so experiments replay a real run recorded on the lab (npm run record:lessons). Start the lab with npm start to run them live.',
};

/** Which experiments run against: the live lab, or recordings of it. */
export function useBackend(): Backend {
  const lab = useContext(LabContext);
  // Without a lab system (the player rendered on its own) nothing is known: runs go to the API as before.
  return useSelector(lab?.connection, (s) => s?.context.backend) ?? 'unknown';
}

/** The page says whether it shows live runs or recorded ones (words, not just colour). */
export function BackendBadge({ backend }: { backend: Backend }) {
  return (
    <span className="lesson-backend" data-backend={backend} data-testid="backend-badge" title={TITLES[backend]}>
      {LABELS[backend]}
    </span>
  );
}
