import { useEffect } from 'react';
import { fetchRecording } from '../lessons/recordings';
import { parseLabLink } from './labLink';
import type { LabSystem } from './system';

/**
 * Puts the run a link names (`/?run=…` or `/?recording=…`, see labLink.ts) on screen,
 * unless it is already there (the lesson opened the lab in the same tab). A run that no
 * longer exists leaves the lab as it is.
 */
export function useRunFromLink(lab: LabSystem, search: string): void {
  useEffect(() => {
    const link = parseLabLink(search);
    const onScreen = lab.playback.getSnapshot().context.runId;
    const controller = new AbortController();
    if (link.runId && link.runId !== onScreen) {
      lab.replay(link.runId).catch(() => undefined);
    } else if (link.recording) {
      const { lessonId, step } = link.recording;
      fetchRecording(lessonId, step, controller.signal).then(
        (events) => {
          const runId = events.find((e) => e.type === 'run.started')?.runId ?? `recording:${lessonId}/${step}`;
          if (runId !== lab.playback.getSnapshot().context.runId) lab.replayLocal(runId, events);
        },
        () => undefined,
      );
    }
    return () => controller.abort();
  }, [lab, search]);
}
