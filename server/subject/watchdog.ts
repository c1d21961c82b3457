/**
 * Notices a subject whose loop is held: every subject process sends a heartbeat from a
 * timer (a held loop runs no timers), and a process silent for longer than the limit is
 * reported once. Armed only while edited handlers run: the project's own handlers never
 * hold the loop that long, while a learner's endless loop would hold it forever.
 */
import type { ChildProcess } from 'node:child_process';
import type { SubjectReport } from './messages';

export const WATCHDOG_LIMIT_MS = 10_000;
export const HEARTBEAT_MS = 500;

export function watchLoop(
  child: ChildProcess,
  workers: number,
  onHeld: (silentMs: number) => void,
  limitMs = WATCHDOG_LIMIT_MS,
): () => void {
  const lastBeat = Array.from({ length: workers }, () => Date.now());
  const onMessage = (report: SubjectReport) => {
    if (report.type === 'heartbeat' && report.worker < workers) lastBeat[report.worker] = Date.now();
  };
  child.on('message', onMessage);
  const timer = setInterval(
    () => {
      const silentMs = Date.now() - Math.min(...lastBeat);
      if (silentMs < limitMs) return;
      stop();
      onHeld(silentMs);
    },
    Math.min(1000, limitMs / 4),
  );
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    child.off('message', onMessage);
  };
  child.once('exit', stop);
  return stop;
}
