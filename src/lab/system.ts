/**
 * The lab as one object above the routes: the trace store and the long-lived actors
 * (connection, config, run, playback, narration), wired together. The lab page and
 * the lesson player both read it, so a run a lesson starts shows in the visualizer.
 */
import { createActor, fromPromise } from 'xstate';
import type { LiveMessage } from '../../common/api';
import { isRequestEvent } from '../../common/traceBasics';
import type { TraceEvent } from '../../common/trace';
import { api, liveUrl } from '../api/client';
import { calibrationMachine } from '../machines/calibrationMachine';
import { configMachine } from '../machines/configMachine';
import { connectionMachine, type ConnectionNotice } from '../machines/connectionMachine';
import { narrationMachine } from '../machines/narrationMachine';
import { playbackMachine } from '../machines/playbackMachine';
import { runMachine } from '../machines/runMachine';
import { AD_HOC_RUN, TraceStore } from '../trace/store';
import { storyWindow } from '../trace/window';
import { idleLoopDelay, measureBaseRoundTrip } from './calibrate';
import { loadAutoReplay } from './preferences';
import { batchTakesTheScreen } from './screenRule';

export interface LabSystemOptions {
  url: string;
  reducedMotion: boolean;
  /** Replay each finished run slowly (default: yes). */
  autoReplay?: boolean;
}

export function createLabSystem(options: LabSystemOptions) {
  // The store publishes once per frame. While playback moves (live, or playing) it publishes on
  // playback's own tick, so a frame's new batches and its new playback time reach React together,
  // as one render; otherwise on an animation frame of its own.
  let playbackTicking = () => false;
  const store = new TraceStore((publish) => {
    if (typeof requestAnimationFrame !== 'function') return queueMicrotask(publish);
    requestAnimationFrame(() => {
      if (!playbackTicking()) publish();
    });
  });
  const config = createActor(configMachine);
  const run = createActor(runMachine, { input: {} });
  const narration = createActor(narrationMachine);
  // The calibration's own requests arrive as hand-sent batches up to a trace batch later: they stay off screen until then.
  let quietUntil = 0;
  const now = () => performance.timeOrigin + performance.now();
  const calibration = createActor(
    calibrationMachine.provide({
      actors: {
        measure: fromPromise(async () => {
          quietUntil = Infinity;
          try {
            return await measureBaseRoundTrip({
              send: () => api.sendOne(),
              config: () => config.getSnapshot().context.config,
              idleDelay: () => idleLoopDelay(store.run(AD_HOC_RUN)?.samples ?? [], now()),
              now,
            });
          } finally {
            quietUntil = now() + 500;
          }
        }),
      },
    }),
  );
  const playback = createActor(playbackMachine, {
    input: {
      source: { events: (runId) => store.run(runId)?.events ?? [], window: (runId) => storyWindow(store.run(runId)) },
      // Reduced motion: the picture changes in calm quarter-second steps.
      stepMs: options.reducedMotion ? 250 : undefined,
      autoReplay: options.autoReplay,
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

  /** A run is over: its whole trace replaces the streamed one, then playback may replay it slowly. */
  const finish = async (runId: string) => {
    await refetch(runId);
    playback.send({ type: 'playback.finished', runId });
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
        if (message.run.status !== 'running') void finish(message.run.id);
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

  /** Live batches go into the store; the screen moves to their run only by batchTakesTheScreen. */
  const ingest = (runId: string | null, events: TraceEvent[]) => {
    const trace = store.ingest(runId, events);
    const playing = playback.getSnapshot();
    const runState = run.getSnapshot();
    const takes = batchTakesTheScreen({
      batchRun: trace.runId,
      sentByHand: runId === null,
      hasRequests: events.some(isRequestEvent),
      onScreen: playing.context.runId,
      playbackLive: playing.matches('live'),
      runInProgress: runState.matches('running') || runState.matches('starting'),
      calibrating: now() < quietUntil,
    });
    if (takes) playback.send({ type: 'playback.load', runId: trace.runId, live: true });
  };

  playbackTicking = () => {
    const state = playback.getSnapshot();
    return state.status === 'active' && (state.matches('live') || state.matches('playing'));
  };
  playback.subscribe(() => store.publish());

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

  /** Loads a stored run (or an imported file) and replays it slowly from its first request. */
  const replay = async (runId: string) => {
    store.replace(runId, await api.getTrace(runId));
    playback.send({ type: 'playback.replay', runId });
  };

  /** Shows a run the page already has (a lesson's recording): replayed slowly from its first request. */
  const replayLocal = (runId: string, events: TraceEvent[]) => {
    store.replace(runId, events);
    playback.send({ type: 'playback.replay', runId });
  };

  /** Loads events that never went through the server (the dev page, the benchmark, an offline import). */
  const loadLocal = (runId: string, events: TraceEvent[], live = false) => {
    store.replace(runId, events);
    playback.send({ type: 'playback.load', runId, live });
  };

  /** `connect: false` leaves the live connection off (pages that talk to the lab their own way). */
  const start = ({ connect = true }: { connect?: boolean } = {}) => {
    for (const actor of [config, run, narration, playback, calibration]) actor.start();
    if (connect) connection.start();
  };
  const stop = () => {
    for (const actor of [connection, playback, narration, run, config, calibration]) actor.stop();
  };

  return {
    store,
    connection,
    config,
    run,
    playback,
    narration,
    calibration,
    replay,
    replayLocal,
    loadLocal,
    ingest,
    start,
    stop,
  };
}

export type LabSystem = ReturnType<typeof createLabSystem>;

export function createBrowserLabSystem(): LabSystem {
  return createLabSystem({
    // Empty on a static site with no lab connected: the connection then reports no lab at once.
    url: liveUrl(window.location) ?? '',
    reducedMotion: window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false,
    autoReplay: loadAutoReplay(),
  });
}
