import { useSelector } from '@xstate/react';
import { useEffect, memo } from 'react';
import { useLab } from '../../lab/LabContext';

/** The caption under the loop (updates every frame) and the rate-limited aria-live region. */
function NarrationDrawn({ text }: { text: string }) {
  const { narration } = useLab();
  const spoken = useSelector(narration, (s) => s.context.spoken);
  useEffect(() => {
    narration.send({ type: 'narration.offer', text });
  }, [narration, text]);
  return (
    <div className="narration">
      <p className="narration-caption" data-testid="narration" aria-hidden="true">
        {text}
      </p>
      <p className="visually-hidden" aria-live="polite" data-testid="narration-live">
        {spoken}
      </p>
    </div>
  );
}

/** Memoised: Stage renders again for its deferred views; unchanged props skip this one. */
export const Narration = memo(NarrationDrawn);
