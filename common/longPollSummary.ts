/**
 * The figures of a long-poll run, from its trace alone (pure, like runSummary.ts): how many
 * long-polls the subject held at once, what they cost it in memory, how late its loop ran
 * while they waited, and how long one publish took to answer them all.
 */
import type { RunSummary } from './api';
import type { TraceEvent, TraceEventOf } from './trace';

type LongPollFigures = Pick<
  RunSummary,
  'peakConcurrent' | 'subjectMemory' | 'waitingLoopDelayMs' | 'publishToLastAnswerMs'
>;

export interface LongPollAccumulator {
  add(event: TraceEvent): void;
  result(): LongPollFigures;
}

export function createLongPollAccumulator(): LongPollAccumulator {
  const samples: Array<TraceEventOf<'sample'>> = [];
  let firstSent = Infinity;
  let published: TraceEventOf<'run.published'> | undefined;
  let lastAnswer = -Infinity;

  return {
    add(event) {
      if (event.type === 'sample') samples.push(event);
      else if (event.type === 'run.published') published = event;
      else if (event.type === 'client.sent' && event.route === 'longPoll') firstSent = Math.min(firstSent, event.t);
      else if (event.type === 'client.done' && !event.rid.endsWith(PUBLISH_RID_SUFFIX))
        lastAnswer = Math.max(lastAnswer, event.t);
    },
    result() {
      const held = (s: TraceEventOf<'sample'>) => s.longPollsWaiting ?? 0;
      const peakConcurrent = samples.reduce((max, s) => Math.max(max, held(s)), 0);
      const end = published?.t ?? Infinity;
      const idle = samples.filter((s) => s.t <= firstSent).at(-1) ?? samples[0];
      // While waiting: the samples between the first long-poll and the publish (the fan-out after it
      // is not waiting). A loop held by a blocking waiter takes no sample until it is let go: then
      // the first sample after the publish is the one that reports the wait.
      const beforePublish = samples.filter((s) => s.t >= firstSent && s.t < end);
      const after = samples.find((s) => s.t >= end);
      const waiting = beforePublish.length > 0 ? beforePublish : after ? [after] : [];
      const figures: LongPollFigures = { peakConcurrent };
      if (idle && beforePublish.length > 0) {
        const peakRssBytes = Math.max(idle.rssBytes, ...beforePublish.map((s) => s.rssBytes));
        figures.subjectMemory = {
          idleRssBytes: idle.rssBytes,
          peakRssBytes,
          perConnectionBytes: peakConcurrent > 0 ? Math.round((peakRssBytes - idle.rssBytes) / peakConcurrent) : 0,
        };
      }
      if (waiting.length > 0) figures.waitingLoopDelayMs = round(Math.max(...waiting.map((s) => s.loopDelayMaxMs)));
      if (published && lastAnswer >= published.t) figures.publishToLastAnswerMs = round(lastAnswer - published.t);
      return figures;
    },
  };
}

/** The publish request of a long-poll run is `<runId>-publish`: not one of the waiters. */
export const PUBLISH_RID_SUFFIX = '-publish';

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
