import { useSelector } from '@xstate/react';
import { useMemo } from 'react';
import type { RunSummary } from '../../../common/api';
import { createLongPollAccumulator } from '../../../common/longPollSummary';
import { useLab } from '../../lab/LabContext';
import type { RunTrace } from '../../trace/store';

type Figures = Pick<
  RunSummary,
  'peakConcurrent' | 'subjectMemory' | 'waitingLoopDelayMs' | 'arrivalLoopDelayMs' | 'publishToLastAnswerMs'
>;

const count = new Intl.NumberFormat('en-US');

function kilobytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * "10,000 connections held · 3.1 KB each · loop delay 2 ms while they waited (900 ms as they
 * arrived) · all answered 180 ms after the publish": holding them costs the loop nothing, taking
 * them in does, and a figure for the whole run would say the opposite of the lesson.
 */
export function heldLine(f: Figures): string | undefined {
  if (f.peakConcurrent === undefined) return undefined;
  const parts = [`${count.format(f.peakConcurrent)} ${f.peakConcurrent === 1 ? 'connection' : 'connections'} held`];
  if (f.subjectMemory && f.peakConcurrent > 1)
    parts.push(`${kilobytes(Math.max(0, f.subjectMemory.perConnectionBytes))} each`);
  if (f.waitingLoopDelayMs !== undefined) {
    const arrival = f.arrivalLoopDelayMs;
    parts.push(
      `loop delay ${count.format(Math.round(f.waitingLoopDelayMs))} ms while they waited` +
        (arrival !== undefined && Math.round(arrival) > Math.round(f.waitingLoopDelayMs)
          ? ` (${count.format(Math.round(arrival))} ms as they arrived)`
          : ''),
    );
  }
  if (f.publishToLastAnswerMs !== undefined)
    parts.push(`all answered ${count.format(Math.round(f.publishToLastAnswerMs))} ms after the publish`);
  return parts.join(' · ');
}

/** A long-poll run's cost per connection, in one line beside the picture: the live summary, or the replayed trace's. */
export function HeldConnections({ trace }: { trace: RunTrace | undefined }) {
  const lab = useLab();
  const live = useSelector(lab.run, (s) => s.context.summary);
  const longPoll = trace?.started?.plan.route === 'longPoll';
  const finished = trace?.finished !== undefined;
  const fromTrace = useMemo(() => {
    if (!longPoll || !finished || !trace) return undefined;
    const figures = createLongPollAccumulator();
    for (const event of trace.events) figures.add(event);
    return figures.result();
  }, [trace, longPoll, finished]);
  if (!longPoll) return null;
  const figures = live && live.id === trace?.started?.runId ? live : fromTrace;
  const line = figures ? heldLine(figures) : undefined;
  return line ? (
    <p className="held-connections" aria-live="polite">
      {line}
    </p>
  ) : null;
}
