import { useSelector } from '@xstate/react';
import { useMemo } from 'react';
import { handlerName } from '../../code/handlerSource';
import { useLab, useRunTrace } from '../../lab/LabContext';
import { stepAt, type RequestLifecycle } from '../../trace/lifecycle';
import { narrate } from '../../trace/narrate';
import { cachedFor } from '../../trace/cache';
import { snapshotAt } from '../../trace/snapshot';
import { parkLongPolls } from '../layout/loopLayout';

/** The request that moved most recently at or before t (what the code view follows by default). */
function latestMover(lifecycles: readonly RequestLifecycle[], t: number): RequestLifecycle | undefined {
  let best: RequestLifecycle | undefined;
  let bestT = -Infinity;
  for (const life of lifecycles) {
    const mark = stepAt(life, t);
    if (mark && mark.t > bestT) {
      bestT = mark.t;
      best = life;
    }
  }
  return best;
}

/** Everything the views draw for the current playback position, computed once per frame. */
export function useStage() {
  const lab = useLab();
  const runId = useSelector(lab.playback, (s) => s.context.runId);
  const t = useSelector(lab.playback, (s) => s.context.t);
  const selectedRid = useSelector(lab.playback, (s) => s.context.selectedRid);
  const config = useSelector(lab.config, (s) => s.context.config);
  const { trace, version, storeVersion } = useRunTrace(runId);
  const live = useSelector(lab.playback, (s) => s.matches('live'));
  const snapshot = useMemo(() => {
    if (!trace) return undefined;
    if (!live) return parkLongPolls(snapshotAt(trace.lifecycles, t, trace.samples, trace.events));
    // Live, t is the newest event: finished requests are finished, only open ones need a look.
    const open = trace.openLifecycles();
    const snap = snapshotAt(open, t, trace.samples, trace.events);
    return parkLongPolls({ ...snap, done: snap.done + trace.lifecycles.length - open.length });
  }, [trace, version, t, live]); // eslint-disable-line react-hooks/exhaustive-deps
  // A long-poll run's one publish: the loop view fans it out to the waiters.
  const publishedAt = trace?.started?.plan.route === 'longPoll'
    ? cachedFor(trace, 'published', trace.version, () => trace.events.findLast((e) => e.type === 'run.published')?.t)
    : undefined;
  // The mode the run on screen ran in (its own config; for hand-sent requests, the newest
  // one's), never the lab's current knob: a replay of a blocking run stays "blocking".
  const mode = trace?.started?.config.mode ?? trace?.lifecycles.at(-1)?.mode ?? config.mode;
  const follow = useMemo(() => {
    if (!trace) return undefined;
    if (selectedRid) return trace.lifecycle(selectedRid);
    if (snapshot?.onThread[0]) return snapshot.onThread[0].life;
    // Live, only open requests can still move; once all are done (t no longer moves), the
    // last one to move stays followed, so the code keeps showing where the run ended.
    return (live ? latestMover(trace.openLifecycles(), t) : undefined) ?? latestMover(trace.lifecycles, t);
  }, [trace, selectedRid, snapshot, t, live]);
  const step = follow ? stepAt(follow, t) : undefined;
  const route = follow?.route || String(trace?.started?.plan.route ?? 'getUser');
  const runtime = trace?.started?.config.runtime ?? config.runtime;
  const handler = step?.handler ?? handlerName(route, mode, runtime);
  const total = trace?.lifecycles.length ?? 0;
  const narration = snapshot ? narrate(snapshot, total) : 'Nothing has happened yet: fire some requests.';
  return { runId, t, trace, version, storeVersion, snapshot, publishedAt, mode, config, follow, step, handler, total, narration };
}
