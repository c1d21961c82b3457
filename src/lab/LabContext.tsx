/**
 * React access to the lab system and its trace store. Components select from actors
 * with @xstate/react's useSelector and read the store through these hooks.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { RunTrace } from '../trace/store';
import type { LabSystem } from './system';

export const LabContext = createContext<LabSystem | null>(null);

export function useLab(): LabSystem {
  const lab = useContext(LabContext);
  if (!lab) throw new Error('useLab must be used inside <LabContext.Provider>');
  return lab;
}

/**
 * Re-renders when the store changes. `version` is the run's own version (it moves only
 * when this run's events change); `storeVersion` moves on any run's change.
 */
export function useRunTrace(runId: string | undefined): {
  trace: RunTrace | undefined;
  version: number;
  storeVersion: number;
} {
  const { store } = useLab();
  const storeVersion = useSyncExternalStore(store.subscribe, store.getVersion);
  const trace = runId ? store.run(runId) : undefined;
  return { trace, version: trace?.version ?? -1, storeVersion };
}
