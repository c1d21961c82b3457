/**
 * React access to the lab system and its trace store. Components select from actors
 * with @xstate/react's useSelector and read the store through these hooks.
 */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { StoreView, TraceView } from '../trace/store';
import type { LabSystem } from './system';

export const LabContext = createContext<LabSystem | null>(null);

export function useLab(): LabSystem {
  const lab = useContext(LabContext);
  if (!lab) throw new Error('useLab must be used inside <LabContext.Provider>');
  return lab;
}

/**
 * One run as published by the store: re-renders when that run's events change (at most
 * once per animation frame), and the returned object changes identity exactly then, so
 * hooks can depend on it.
 */
export function useRunTrace(runId: string | undefined): TraceView {
  const { store } = useLab();
  return useSyncExternalStore(store.subscribe, () => store.view(runId));
}

/** Every run as published by the store: a new object when any run changed. */
export function useStoreView(): StoreView {
  const { store } = useLab();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
