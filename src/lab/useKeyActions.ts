/**
 * One window keydown listener that turns keys into actions on the lab's machines. The
 * caller says which key means which action (`actionFor`) and what each action does
 * (`actions`, given the latest handlers); both are module-level functions, so the listener
 * is added once per lab and always sees the current handlers.
 */
import { useEffect, useRef } from 'react';
import { useLab } from './LabContext';
import type { LabSystem } from './system';

export function useKeyActions<A extends string, H>(
  handlers: H,
  actionFor: (event: KeyboardEvent) => A | null | undefined,
  actions: (lab: LabSystem, handlers: H) => Record<A, () => void>,
): void {
  const lab = useLab();
  const latest = useRef({ handlers, actionFor, actions });
  useEffect(() => {
    latest.current = { handlers, actionFor, actions };
  });
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      const { handlers: h, actionFor: keyToAction, actions: table } = latest.current;
      const action = keyToAction(event);
      if (!action) return;
      event.preventDefault();
      table(lab, h)[action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lab]);
}
