import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { summarizeTrace } from '../../../common/runSummary';
import type { TraceEvent } from '../../../common/trace';

const sample = (t: number, longPollsWaiting: number, rssBytes: number, loopDelayMaxMs = 1): TraceEvent => ({
  type: 'sample',
  t,
  worker: 0,
  loopDelayMaxMs,
  elu: 0.1,
  poolInUse: 0,
  poolWaiting: 0,
  dbInFlight: 0,
  rssBytes,
  heapUsedBytes: 1,
  longPollsWaiting,
});

function longPollTrace(): TraceEvent[] {
  const events: TraceEvent[] = [
    {
      type: 'run.started',
      t: 1000,
      runId: 'r',
      version: 1,
      config: DEFAULT_CONFIG,
      plan: { route: 'longPoll', concurrency: 4 },
    },
    sample(1005, 0, 50_000_000),
  ];
  for (let i = 0; i < 4; i++) events.push({ type: 'client.sent', t: 1010 + i, rid: `r-${i}`, route: 'longPoll' });
  // Two arrive, then the other two (the loop busy taking them in: 30 ms), then all four wait.
  events.push(sample(1030, 2, 50_004_000, 3), sample(1055, 4, 50_012_000, 30), sample(1080, 4, 50_010_000, 2));
  events.push({ type: 'run.published', t: 1090, runId: 'r', via: 'subject', waiting: 4 });
  events.push(
    { type: 'client.sent', t: 1091, rid: 'r-publish', route: 'createUser' },
    { type: 'client.done', t: 1095, rid: 'r-publish', status: 201 },
  );
  events.push(sample(1105, 0, 60_000_000, 40));
  for (let i = 0; i < 4; i++) events.push({ type: 'client.done', t: 1100 + i * 5, rid: `r-${i}`, status: 200 });
  events.push({ type: 'run.finished', t: 1200, runId: 'r', status: 'done' });
  return events;
}

describe('a long-poll run summary', () => {
  it('reports the peak held, the memory per held connection, the loop delay while waiting and publish-to-last-answer', () => {
    const summary = summarizeTrace(longPollTrace())!;
    expect(summary.peakConcurrent).toBe(4);
    expect(summary.subjectMemory).toEqual({
      idleRssBytes: 50_000_000,
      peakRssBytes: 50_012_000,
      perConnectionBytes: 3000,
    });
    // While they waited: after the sample that first counted all four, until the publish. Taking
    // them in (30 ms) is the arrivals' figure, and the fan-out's (40 ms, after the publish) neither.
    expect(summary.waitingLoopDelayMs).toBe(2);
    expect(summary.arrivalLoopDelayMs).toBe(30);
    expect(summary.publishToLastAnswerMs).toBe(25);
  });

  it('takes the wait of a loop held by a blocking waiter from the first sample after the publish', () => {
    // Blocking, loop only: a sample after the first long-poll is sent, before it is taken in; none while the loop is held.
    const events = longPollTrace().filter((e) => e.type !== 'sample' || e.t < 1030 || e.t > 1090);
    events.splice(2, 0, sample(1012, 0, 50_000_000, 1));
    const blocked = events.map((e) => (e.type === 'sample' && e.t === 1105 ? { ...e, longPollsWaiting: 1 } : e));
    const summary = summarizeTrace(blocked)!;
    expect(summary.peakConcurrent).toBe(1);
    expect(summary.waitingLoopDelayMs).toBe(40);
    expect(summary.arrivalLoopDelayMs).toBeUndefined();
  });

  it('leaves other runs without long-poll figures', () => {
    const summary = summarizeTrace([
      {
        type: 'run.started',
        t: 1,
        runId: 'x',
        version: 1,
        config: DEFAULT_CONFIG,
        plan: { requests: 1, concurrency: 1 },
      },
    ])!;
    expect(summary.peakConcurrent).toBeUndefined();
    expect(summary.subjectMemory).toBeUndefined();
  });
});
