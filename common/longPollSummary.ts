/**
 * The figures of a long-poll run, from its trace alone (pure, like runSummary.ts): how many
 * long-polls the subject held at once, what they cost it in memory, how late its loop ran
 * while they arrived and while they waited, and how long one publish took to answer them all.
 */
import type { RunSummary } from './api';
import type { TraceEvent, TraceEventOf } from './trace';

type LongPollFigures = Pick<
  RunSummary,
  'peakConcurrent' | 'subjectMemory' | 'waitingLoopDelayMs' | 'arrivalLoopDelayMs' | 'publishToLastAnswerMs'
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
      // The samples between the first long-poll and the publish (the fan-out after it is not waiting).
      const beforePublish = samples.filter((s) => s.t >= firstSent && s.t < end);
      // Arriving: up to the sample that first counted the most held. Taking in 10,000 requests is
      // work (a second of it for Node's subject on this machine); holding them is not, and that
      // is the figure a teacher asks about: the samples after that one, until the publish.
      const full = beforePublish.findIndex((s) => held(s) >= peakConcurrent);
      const arriving = full >= 0 ? beforePublish.slice(0, full + 1) : [];
      const holding = full >= 0 ? beforePublish.slice(full + 1) : [];
      // A loop held by a blocking waiter takes no sample until it is let go: then the first
      // sample after the publish is the one that reports the wait.
      const after = samples.find((s) => s.t >= end);
      const waiting = holding.length > 0 ? holding : after ? [after] : [];
      const figures: LongPollFigures = { peakConcurrent };
      if (idle && beforePublish.length > 0) {
        const peakRssBytes = Math.max(idle.rssBytes, ...beforePublish.map((s) => s.rssBytes));
        figures.subjectMemory = {
          idleRssBytes: idle.rssBytes,
          peakRssBytes,
          perConnectionBytes: peakConcurrent > 0 ? Math.round((peakRssBytes - idle.rssBytes) / peakConcurrent) : 0,
        };
      }
      const worst = (list: ReadonlyArray<TraceEventOf<'sample'>>) =>
        round(Math.max(...list.map((s) => s.loopDelayMaxMs)));
      if (waiting.length > 0) figures.waitingLoopDelayMs = worst(waiting);
      if (arriving.length > 0) figures.arrivalLoopDelayMs = worst(arriving);
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
