/**
 * A synthetic long-poll run, shaped like the lab's own (non-blocking): `waiters` long-polls
 * arrive, each parks in its handler at step 'query' (no database call: a small record and an
 * open socket), one publish answers them all, the fan-out answers one after another. For the
 * UI benchmark and the browser tests; the real page draws the real trace.
 */
import { DEFAULT_CONFIG } from '../../common/config';
import type { TraceEvent } from '../../common/trace';
import { TRACE_VERSION } from '../../common/traceBasics';

export interface LongPollPlan {
  waiters: number;
  runId?: string;
  t0?: number;
  /** Time between two arrivals, ms. */
  arrivalGapMs?: number;
  /** How long everyone waits once all have arrived, ms. */
  holdMs?: number;
  /** Time between two answers of the fan-out, ms. */
  answerGapMs?: number;
}

export interface LongPollTrace {
  events: TraceEvent[];
  /** Every waiter is parked at this time (between the last arrival and the publish). */
  allWaitingAt: number;
  publishedAt: number;
}

export function synthesizeLongPoll(plan: LongPollPlan): LongPollTrace {
  const runId = plan.runId ?? 'longpoll';
  const t0 = plan.t0 ?? 1_700_000_000_000;
  const gap = plan.arrivalGapMs ?? 0.05;
  const hold = plan.holdMs ?? 1000;
  const answerGap = plan.answerGapMs ?? 0.02;
  const handler = 'longPoll.nonblocking';
  const config = { ...DEFAULT_CONFIG, mode: 'nonblocking' as const };
  const events: TraceEvent[] = [
    {
      type: 'run.started',
      t: t0,
      runId,
      version: TRACE_VERSION,
      config,
      plan: { route: 'longPoll', concurrency: plan.waiters, requests: plan.waiters, holdMs: hold },
    },
  ];
  const worker = 0;
  const lastArrival = t0 + 1 + plan.waiters * gap;
  const publishedAt = lastArrival + 1 + hold;
  for (let i = 0; i < plan.waiters; i += 1) {
    const rid = `lp${i + 1}`;
    const sent = t0 + 1 + i * gap;
    const accepted = sent + 0.2;
    events.push(
      { type: 'client.sent', t: sent, rid, route: 'longPoll' },
      { type: 'subject.accepted', t: accepted, rid, worker, route: 'longPoll', mode: 'nonblocking' },
      { type: 'handler.step', t: accepted, rid, worker, handler, step: 'parse' },
      { type: 'handler.step', t: accepted + 0.01, rid, worker, handler, step: 'cpu' },
      { type: 'handler.step', t: accepted + 0.02, rid, worker, handler, step: 'query' },
    );
    // The first waiter makes the one read the publish needs.
    let answerAt = publishedAt + 2 + i * answerGap;
    if (i === 0) {
      events.push(
        { type: 'db.call', t: publishedAt + 0.5, rid, worker, op: 'findNewer', collection: 'users' },
        { type: 'db.sent', t: publishedAt + 0.5, rid, worker },
        { type: 'db.reply', t: publishedAt + 1.8, rid, worker, ok: true },
      );
      answerAt = publishedAt + 1.9;
    }
    events.push(
      { type: 'handler.step', t: answerAt, rid, worker, handler, step: 'respond' },
      { type: 'subject.responded', t: answerAt + 0.01, rid, worker, status: 200 },
      { type: 'client.firstByte', t: answerAt + 0.3, rid },
      { type: 'client.done', t: answerAt + 0.35, rid, status: 200 },
    );
  }
  const publish = `${runId}-publish`;
  events.push(
    { type: 'client.sent', t: publishedAt - 0.4, rid: publish, route: 'createUser' },
    { type: 'subject.accepted', t: publishedAt - 0.3, rid: publish, worker, route: 'createUser', mode: 'nonblocking' },
    { type: 'db.call', t: publishedAt - 0.25, rid: publish, worker, op: 'insertOne', collection: 'users' },
    { type: 'db.sent', t: publishedAt - 0.25, rid: publish, worker },
    { type: 'db.reply', t: publishedAt - 0.05, rid: publish, worker, ok: true },
    { type: 'run.published', t: publishedAt, runId, via: 'subject', waiting: plan.waiters },
    { type: 'subject.responded', t: publishedAt + 0.1, rid: publish, worker, status: 201 },
    { type: 'client.done', t: publishedAt + 0.4, rid: publish, status: 201 },
  );
  const end = publishedAt + 2 + plan.waiters * answerGap + 1;
  for (let t = t0 + 50; t <= end; t += 50) {
    const held =
      t < lastArrival
        ? Math.floor((t - t0 - 1) / gap)
        : t < publishedAt
          ? plan.waiters
          : Math.max(0, plan.waiters - Math.floor((t - publishedAt) / answerGap));
    events.push({
      type: 'sample',
      t,
      worker,
      loopDelayMaxMs: 1,
      elu: 0.05,
      poolInUse: 0,
      poolWaiting: 0,
      dbInFlight: 0,
      longPollsWaiting: Math.max(0, Math.min(plan.waiters, held)),
      rssBytes: 60e6 + Math.max(0, Math.min(plan.waiters, held)) * 3000,
      heapUsedBytes: 20e6,
    });
  }
  events.push({ type: 'run.finished', t: end + 1, runId, status: 'done' });
  events.sort((a, b) => a.t - b.t);
  return { events, allWaitingAt: (lastArrival + publishedAt) / 2, publishedAt };
}
