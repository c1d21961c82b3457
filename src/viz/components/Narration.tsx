import { useSelector } from '@xstate/react';
import { useEffect } from 'react';
import { useLab } from '../../lab/LabContext';

/** The caption under the loop (updates every frame) and the rate-limited aria-live region. */
export function Narration({ text }: { text: string }) {
  const { narration } = useLab();
  const spoken = useSelector(narration, (s) => s.context.spoken);
  useEffect(() => {
    narration.send({ type: 'narration.offer', text });
  }, [narration, text]);
  return (
    <div className="narration">
      <p className="narration-caption" data-testid="narration" aria-hidden="true">{text}</p>
      <p className="visually-hidden" aria-live="polite" data-testid="narration-live">{spoken}</p>
    </div>
  );
}
