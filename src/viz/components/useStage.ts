import { useSelector } from '@xstate/react';
import { useMemo, useState } from 'react';
import { handlerName } from '../../code/handlerSource';
import { useLab, useRunTrace } from '../../lab/LabContext';
import { stepAt } from '../../trace/lifecycle';
import { narrate } from '../../trace/narrate';
import { cachedFor } from '../../trace/cache';
import { SnapshotTracker } from '../../trace/snapshotTracker';
import { parkLongPolls } from '../layout/loopLayout';

/** Everything the views draw for the current playback position, computed once per frame. */
export function useStage() {
  const lab = useLab();
  const runId = useSelector(lab.playback, (s) => s.context.runId);
  const t = useSelector(lab.playback, (s) => s.context.t);
  const selectedRid = useSelector(lab.playback, (s) => s.context.selectedRid);
  const config = useSelector(lab.config, (s) => s.context.config);
  // The run as published (a new object when its events change): the hooks below depend on it.
  const view = useRunTrace(runId);
  const { trace, version } = view;
  const live = useSelector(lab.playback, (s) => s.matches('live'));
  // Kept from frame to frame: only the requests that moved (or a live batch re-folded) are looked at again.
  const [tracker] = useState(() => new SnapshotTracker(parkLongPolls));
  const snapshot = useMemo(() => (view.trace ? tracker.at(view.trace, t) : undefined), [tracker, view, t]);
  // A long-poll run's one publish: the loop view fans it out to the waiters.
  const publishedAt =
    trace?.started?.plan.route === 'longPoll'
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
    return tracker.latestMover(trace, live);
  }, [tracker, trace, selectedRid, snapshot, live]);
  const step = follow ? stepAt(follow, t) : undefined;
  const route = follow?.route || String(trace?.started?.plan.route ?? 'getUser');
  const runtime = trace?.started?.config.runtime ?? config.runtime;
  const handler = step?.handler ?? handlerName(route, mode, runtime);
  const total = trace?.lifecycles.length ?? 0;
  const narration = snapshot ? narrate(snapshot, total) : 'Nothing has happened yet: fire some requests.';
  return {
    runId,
    t,
    trace,
    version,
    view,
    snapshot,
    publishedAt,
    mode,
    config,
    follow,
    step,
    handler,
    total,
    narration,
  };
}
