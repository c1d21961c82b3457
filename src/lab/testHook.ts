/**
 * window.__lab: a small hook for the browser tests and the UI benchmark to feed a
 * synthetic trace and read what the page holds. It only adds data; it cannot fake
 * what the server says.
 */
import type { TraceEvent } from '../../common/trace';
import type { LabSystem } from './system';

export interface LabTestHook {
  /** Adds events to a run as if a live batch arrived (default run "bench"). */
  ingest(events: TraceEvent[], runId?: string): void;
  /** Replaces a run and replays it from the start (live: follow the end instead). */
  load(events: TraceEvent[], runId: string, live?: boolean): void;
  requestCount(runId: string): number;
  /** Moves playback to time t (epoch ms) and plays at this speed from there. */
  playFrom(t: number, speed: number): void;
  playback(): { state: string; t: number; runId?: string };
}

declare global {
  interface Window {
    __lab?: LabTestHook;
  }
}

export function installTestHook(lab: LabSystem): void {
  window.__lab = {
    ingest: (events, runId = 'bench') => lab.ingest(runId, events),
    load: (events, runId, live = false) => lab.loadLocal(runId, events, live),
    playFrom: (t, speed) => {
      lab.playback.send({ type: 'playback.seek', t });
      lab.playback.send({ type: 'playback.speed', speed });
      lab.playback.send({ type: 'playback.play' });
    },
    requestCount: (runId) => lab.store.run(runId)?.lifecycles.length ?? 0,
    playback: () => {
      const snapshot = lab.playback.getSnapshot();
      return { state: String(snapshot.value), t: snapshot.context.t, runId: snapshot.context.runId };
    },
  };
}
