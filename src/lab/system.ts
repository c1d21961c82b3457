/**
 * The lab as one object above the routes: the trace store and the long-lived actors
 * (connection, config, run, playback, narration), wired together. The lab page and
 * the lesson player both read it, so a run a lesson starts shows in the visualizer.
 */
import { createActor } from 'xstate';
import type { LiveMessage } from '../../common/api';
import { isRequestEvent } from '../../common/traceBasics';
import type { TraceEvent } from '../../common/trace';
import { api, liveUrl } from '../api/client';
import { configMachine } from '../machines/configMachine';
import { connectionMachine, type ConnectionNotice } from '../machines/connectionMachine';
import { narrationMachine } from '../machines/narrationMachine';
import { playbackMachine } from '../machines/playbackMachine';
import { runMachine } from '../machines/runMachine';
import { TraceStore } from '../trace/store';

export interface LabSystemOptions {
  url: string;
  reducedMotion: boolean;
}

export function createLabSystem(options: LabSystemOptions) {
  const store = new TraceStore();
  const config = createActor(configMachine);
  const run = createActor(runMachine);
  const narration = createActor(narrationMachine);
  const playback = createActor(playbackMachine, {
    input: {
      source: { events: (runId) => store.run(runId)?.events ?? [] },
      // Reduced motion: the picture changes in calm quarter-second steps.
      stepMs: options.reducedMotion ? 250 : undefined,
    },
  });

  /** Replaces a run's live-streamed events with the stored file (complete even if we lagged). */
  const refetch = async (runId: string) => {
    try {
      store.replace(runId, await api.getTrace(runId));
    } catch {
      // The live events we have stay on screen; the next run will try again.
    }
  };

  const onMessage = (notice: ConnectionNotice) => {
    const message = notice as LiveMessage | ConnectionNotice;
    switch (message.type) {
      case 'hello':
      case 'status':
        config.send({ type: 'config.received', config: message.health.config });
        run.send({ type: 'run.health', health: message.health });
        break;
      case 'config':
        config.send({ type: 'config.received', config: message.config });
        break;
      case 'run':
        run.send({ type: 'run.update', run: message.run });
        if (message.run.status !== 'running') void refetch(message.run.id);
        break;
      case 'trace':
        ingest(message.runId, message.events);
        break;
      case 'resync': {
        const current = run.getSnapshot().context.runId;
        if (current) void refetch(current);
        break;
      }
    }
  };

  /**
   * Live batches. Requests sent by hand (runId null) take the screen when the page is
   * live and no run is in progress, so "Send one request" shows at once. Samples alone
   * (the subject reports them between runs too) never take the screen.
   */
  const ingest = (runId: string | null, events: TraceEvent[]) => {
    const trace = store.ingest(runId, events);
    const playing = playback.getSnapshot();
    const idleLive = playing.matches('live') && !run.getSnapshot().matches('running') && !run.getSnapshot().matches('starting');
    if (trace.runId !== playing.context.runId && (!playing.context.runId || (idleLive && runId === null && events.some(isRequestEvent)))) {
      playback.send({ type: 'playback.load', runId: trace.runId, live: true });
    }
  };

  const connection = createActor(connectionMachine, { input: { url: options.url, onMessage } });

  // A new run (ours or a lesson's) takes over the screen, live.
  let followed: string | undefined;
  run.subscribe((snapshot) => {
    const id = snapshot.context.runId;
    if (id && id !== followed && snapshot.matches('running')) {
      followed = id;
      store.ingest(id, []);
      playback.send({ type: 'playback.load', runId: id, live: true });
    }
  });

  /** Loads a stored run (or an imported file) and replays it from the start. */
  const replay = async (runId: string) => {
    store.replace(runId, await api.getTrace(runId));
    playback.send({ type: 'playback.load', runId, live: false });
  };

  /** Loads events that never went through the server (the dev page, the benchmark, an offline import). */
  const loadLocal = (runId: string, events: TraceEvent[], live = false) => {
    store.replace(runId, events);
    playback.send({ type: 'playback.load', runId, live });
  };

  /** `connect: false` leaves the live connection off (pages that talk to the lab their own way). */
  const start = ({ connect = true }: { connect?: boolean } = {}) => {
    for (const actor of [config, run, narration, playback]) actor.start();
    if (connect) connection.start();
  };
  const stop = () => {
    for (const actor of [connection, playback, narration, run, config]) actor.stop();
  };

  return { store, connection, config, run, playback, narration, replay, loadLocal, ingest, start, stop };
}

export type LabSystem = ReturnType<typeof createLabSystem>;

export function createBrowserLabSystem(): LabSystem {
  return createLabSystem({
    url: liveUrl(window.location),
    reducedMotion: window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false,
  });
}
