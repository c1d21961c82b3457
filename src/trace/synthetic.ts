/**
 * A synthetic trace: a tiny discrete-event simulation of one subject loop, used for
 * unit tests, the UI benchmark and the dev page before the backend answers. The real
 * page always shows the real trace from the lab's API.
 */
import type { LabConfig } from '../../common/config';
import type { TraceEvent } from '../../common/trace';
import { TRACE_VERSION } from '../../common/traceBasics';

export interface SyntheticPlan {
  requests: number;
  concurrency: number;
  runId?: string;
  t0?: number;
}

interface Task {
  ready: number;
  seq: number;
  run: (start: number) => number;
}

export function synthesizeRun(config: LabConfig, plan: SyntheticPlan): TraceEvent[] {
  const runId = plan.runId ?? 'synthetic';
  const t0 = plan.t0 ?? 1_700_000_000_000;
  const rtt = config.dbLatencyMs + 1;
  const handler = `getUser.${config.mode}`;
  const events: TraceEvent[] = [
    {
      type: 'run.started',
      t: t0,
      runId,
      version: TRACE_VERSION,
      config,
      plan: { requests: plan.requests, concurrency: plan.concurrency, route: 'getUser' },
    },
  ];
  const tasks: Task[] = [];
  let seq = 0;
  const schedule = (ready: number, run: Task['run']) => tasks.push({ ready, seq: seq++, run });
  let sent = 0;
  let poolInUse = 0;
  const poolQueue: Array<(t: number) => void> = [];
  let busyMs = 0;

  const send = (t: number) => {
    if (sent >= plan.requests) return;
    const rid = `r${++sent}`;
    const worker = 0;
    events.push({ type: 'client.sent', t, rid, route: 'getUser' });
    schedule(t + 0.3, (start) => {
      events.push({ type: 'subject.accepted', t: start, rid, worker, route: 'getUser', mode: config.mode });
      events.push({ type: 'handler.step', t: start, rid, worker, handler, step: 'parse' });
      events.push({ type: 'handler.step', t: start + 0.05, rid, worker, handler, step: 'cpu' });
      if (config.cpuMs > 0)
        events.push({ type: 'loop.blocked', t: start + 0.05, rid, worker, durationMs: config.cpuMs, reason: 'cpu' });
      const q = start + 0.1 + config.cpuMs;
      events.push({ type: 'handler.step', t: q, rid, worker, handler, step: 'query' });
      events.push({ type: 'db.call', t: q, rid, worker, op: 'findOne', collection: 'users' });
      const respond = (at: number) => {
        events.push({ type: 'handler.step', t: at, rid, worker, handler, step: 'respond' });
        events.push({ type: 'subject.responded', t: at + 0.1, rid, worker, status: 200 });
        events.push({ type: 'client.firstByte', t: at + 0.3, rid });
        events.push({ type: 'client.done', t: at + 0.4, rid, status: 200 });
        send(at + 0.4);
        return 0.1;
      };
      if (config.mode === 'blocking') {
        events.push({ type: 'db.sent', t: q, rid, worker });
        events.push({ type: 'loop.blocked', t: q, rid, worker, durationMs: rtt, reason: 'db' });
        events.push({ type: 'db.reply', t: q + rtt, rid, worker, ok: true });
        return q + rtt + respond(q + rtt) - start;
      }
      const go = (at: number) => {
        poolInUse += 1;
        events.push({ type: 'db.sent', t: at, rid, worker });
        schedule(at + rtt, (replyStart) => {
          poolInUse -= 1;
          poolQueue.shift()?.(replyStart);
          events.push({ type: 'db.reply', t: replyStart, rid, worker, ok: true });
          return respond(replyStart) + 0.05;
        });
      };
      if (poolInUse < config.poolSize) go(q);
      else {
        events.push({ type: 'pool.wait', t: q, rid, worker });
        poolQueue.push(go);
      }
      return q - start + 0.05;
    });
  };

  for (let i = 0; i < Math.min(plan.concurrency, plan.requests); i += 1) send(t0 + 1 + i * 0.01);
  // The loop: run the earliest ready task; it occupies the loop for its duration.
  let loopFree = t0;
  while (tasks.length > 0) {
    tasks.sort((a, b) => a.ready - b.ready || a.seq - b.seq);
    const task = tasks.shift()!;
    const start = Math.max(loopFree, task.ready);
    const duration = task.run(start);
    busyMs += duration;
    loopFree = start + duration;
  }
  const end = Math.max(...events.map((e) => e.t));
  for (let t = t0 + 50; t <= end + 50; t += 50) {
    events.push({
      type: 'sample',
      t,
      worker: 0,
      loopDelayMaxMs: config.mode === 'blocking' ? rtt : 1,
      elu: Math.min(1, busyMs / (end - t0)),
      poolInUse: Math.min(poolInUse, config.poolSize),
      poolWaiting: 0,
      dbInFlight: 0,
      rssBytes: 50e6,
      heapUsedBytes: 20e6,
    });
  }
  events.push({ type: 'run.finished', t: end + 1, runId, status: 'done' });
  return events.sort((a, b) => a.t - b.t);
}
