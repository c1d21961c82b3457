/**
 * Reading a trace file someone hands us (POST /api/runs/import): every line is checked
 * against the trace schema, and the first bad line is reported by number. Pure.
 */
import { describeZodError, runRequestSchema } from '../../common/config';
import { parseTraceEvent, type TraceEvent } from '../../common/trace';

/** Imports are larger than ordinary bodies: a 100,000-request run is ~40 MB of JSON lines. */
export const IMPORT_LIMIT_BYTES = 50 * 1024 * 1024;

/**
 * Times in a trace: within a day of run.started (the longest run lasts minutes), and small
 * enough that differences stay exact. Without a bound, t = 1.79e308 made durations null.
 */
const MAX_SPAN_MS = 24 * 60 * 60 * 1000;
const MAX_ABS_TIME_MS = 1e15;

export type ParsedTraceFile = { ok: true; events: TraceEvent[] } | { ok: false; message: string };

/**
 * Parses JSON lines into a run's events, renamed to `runId`. The first line must be
 * run.started (with a valid plan); run.finished, if present, must be last; a file
 * without one (a recording cut short) is closed as failed.
 */
export function parseTraceFile(text: string, runId: string): ParsedTraceFile {
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  let finishedAt = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const n = i + 1;
    if (!line) continue;
    if (finishedAt) return { ok: false, message: `line ${n}: nothing may follow run.finished (line ${finishedAt})` };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { ok: false, message: `line ${n}: not valid JSON` };
    }
    const parsed = parseTraceEvent(value);
    if (!parsed.ok) return { ok: false, message: `line ${n}: ${parsed.message}` };
    const event = parsed.event;
    const origin = events[0]?.t ?? event.t;
    const outside = [event.t, 'scheduledAt' in event ? event.scheduledAt : undefined].find(
      (time) => time !== undefined && (Math.abs(time) > MAX_ABS_TIME_MS || Math.abs(time - origin) > MAX_SPAN_MS),
    );
    if (outside !== undefined) {
      return { ok: false, message: `line ${n}: time ${outside} is not within 24 h of the run's start (${origin})` };
    }
    if (events.length === 0) {
      if (event.type !== 'run.started') return { ok: false, message: `line ${n}: the first event must be run.started, not ${event.type}` };
      const plan = runRequestSchema.safeParse(event.plan);
      if (!plan.success) return { ok: false, message: `line ${n}: plan: ${describeZodError(plan.error)}` };
      events.push({ ...event, runId });
      continue;
    }
    if (event.type === 'run.started') return { ok: false, message: `line ${n}: a file holds one run; run.started appears again` };
    if (event.type === 'run.finished') {
      finishedAt = n;
      events.push({ ...event, runId });
      continue;
    }
    events.push(event);
  }
  if (events.length === 0) return { ok: false, message: 'the file is empty: expected JSON lines starting with run.started' };
  if (!finishedAt) {
    const lastT = events.reduce((max, e) => Math.max(max, e.t), 0);
    events.push({ type: 'run.finished', t: lastT, runId, status: 'failed', message: 'the imported file had no run.finished line' });
  }
  return { ok: true, events };
}
