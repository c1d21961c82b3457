/**
 * A run's numbers, computed from its trace and nothing else, so a live run, a stored run
 * and an imported file summarise the same way. Pure: no I/O, no clock, so the server's
 * run store and the page's replay of a recording share it.
 */
import type { RunRequest } from './config';
import { traceEveryOf } from './knobs';
import type { RunStatus, RunSummary } from './api';
import { createLongPollAccumulator, type LongPollAccumulator } from './longPollSummary';
import { percentile } from './percentile';
import type { TraceEvent, TraceEventOf } from './trace';

export { percentile };

/**
 * How long after the last reply a sample still belongs to the run: a sample covers the
 * ≤ 50 ms before it, so the one just after the last reply describes the run's tail.
 */
const SAMPLE_TAIL_MS = 50;

export interface SummaryBuilder {
  add(event: TraceEvent): void;
  /** The summary so far; undefined until run.started was added. */
  result(options?: { id?: string; imported?: boolean }): RunSummary | undefined;
}

/** Accumulates a run's events one at a time (a live run's file can be large). */
export function createSummaryBuilder(): SummaryBuilder {
  let started: TraceEventOf<'run.started'> | undefined;
  let finished: TraceEventOf<'run.finished'> | undefined;
  const startOf = new Map<string, number>();
  const latencies: number[] = [];
  const samples: Array<TraceEventOf<'sample'>> = [];
  let completed = 0;
  let errors = 0;
  let notSent = 0;
  let first = Infinity;
  let last = -Infinity;

  /** Set for a long-poll run (its plan's route says so), which has figures of its own. */
  let longPoll: LongPollAccumulator | undefined;

  function add(event: TraceEvent): void {
    longPoll?.add(event);
    switch (event.type) {
      case 'run.started':
        started = event;
        if (event.plan.route === 'longPoll') longPoll = createLongPollAccumulator();
        break;
      case 'run.finished':
        finished = event;
        break;
      case 'client.sent': {
        // Open loop: latency counts from when the request was due, not when it left.
        const start = event.scheduledAt ?? event.t;
        startOf.set(event.rid, start);
        first = Math.min(first, start);
        break;
      }
      case 'client.done': {
        completed += 1;
        if (event.error !== undefined || event.status >= 400 || event.status === 0) errors += 1;
        const start = startOf.get(event.rid);
        if (start !== undefined) {
          latencies.push(event.t - start);
          startOf.delete(event.rid);
        }
        last = Math.max(last, event.t);
        break;
      }
      case 'load.counts':
        notSent += event.notSent;
        completed += event.untracedCompleted;
        errors += event.untracedErrors;
        if (event.untracedCompleted > 0) last = Math.max(last, event.t);
        break;
      case 'sample':
        samples.push(event);
        break;
      default:
        break;
    }
  }

  function result(options: { id?: string; imported?: boolean } = {}): RunSummary | undefined {
    if (!started) return undefined;
    const sorted = [...latencies].sort((a, b) => a - b);
    const durationMs = last > first ? last - first : 0;
    const inWindow =
      Number.isFinite(first) && last > first
        ? samples.filter((s) => s.t >= first && s.t <= last + SAMPLE_TAIL_MS)
        : samples;
    const status: RunStatus = finished ? finished.status : 'running';
    const summary: RunSummary = {
      id: options.id ?? started.runId,
      status,
      config: started.config,
      plan: started.plan as RunRequest,
      startedAt: started.t,
      completed,
      errors,
      durationMs: round(durationMs),
      throughputPerSec: durationMs > 0 ? round((completed * 1000) / durationMs) : 0,
      latencyMs: {
        p50: round(percentile(sorted, 0.5)),
        p95: round(percentile(sorted, 0.95)),
        p99: round(percentile(sorted, 0.99)),
        max: round(sorted.length ? sorted[sorted.length - 1]! : 0),
      },
      loop: {
        delayMaxMs: round(inWindow.reduce((max, s) => Math.max(max, s.loopDelayMaxMs), 0)),
        utilization: inWindow.length ? round(inWindow.reduce((sum, s) => sum + s.elu, 0) / inWindow.length, 3) : 0,
      },
    };
    if ('ratePerSec' in started.plan) summary.notSent = notSent;
    const every = traceEveryOf(summary.plan as Parameters<typeof traceEveryOf>[0]);
    if (every > 1) summary.tracedOneIn = every;
    if (longPoll) Object.assign(summary, longPoll.result());
    if (finished?.message) summary.message = finished.message;
    if (options.imported) summary.imported = true;
    return summary;
  }

  return { add, result };
}

/** Summarises a whole trace at once. */
export function summarizeTrace(
  events: Iterable<TraceEvent>,
  options?: { id?: string; imported?: boolean },
): RunSummary | undefined {
  const builder = createSummaryBuilder();
  for (const event of events) builder.add(event);
  return builder.result(options);
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
