/**
 * Reading a trace file someone hands us (POST /api/runs/import): every line is checked
 * against the trace schema, and the first bad line is reported by number. Pure.
 */
import { describeZodError, runRequestSchema } from '../../common/config';
import { parseTraceEvent, type TraceEvent } from '../../common/trace';

/**
 * Imports are larger than ordinary bodies: a 100,000-request run is ~40 MB of JSON lines.
 * The lab never writes a larger trace: past RUN_TRACE_REQUESTS requests a run's trace is
 * sampled (common/knobs.ts), so every exported run can be imported back.
 */
export const IMPORT_LIMIT_BYTES = 50 * 1024 * 1024;

/**
 * Times in a trace: within a day of run.started (the longest run lasts minutes), and small
 * enough that differences stay exact. Without a bound, t = 1.79e308 made durations null.
 */
const MAX_SPAN_MS = 24 * 60 * 60 * 1000;
const MAX_ABS_TIME_MS = 1e15;

/**
 * The longest line accepted: a run.started line carries the edited handlers' sources (at
 * most 32 × 64 KB, escaped); every other event is a few hundred bytes.
 */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

export type ParsedTraceFile = { ok: true; events: TraceEvent[] } | { ok: false; message: string };
export type CheckedLine = { ok: true; event?: TraceEvent } | { ok: false; message: string };

/**
 * Checks a trace file one line at a time, so a large file is never held whole. `line()`
 * returns the line's event (renamed to `runId`), none for a blank line, or the reason the
 * file is refused (with the line number); `end()` returns the closing run.finished for a
 * file that had none, or why the file as a whole is refused.
 */
export interface TraceFileChecker {
  line(text: string): CheckedLine;
  end(): CheckedLine;
}

export function createTraceFileChecker(runId: string): TraceFileChecker {
  let n = 0;
  let count = 0;
  let origin: number | undefined;
  let lastT = 0;
  let finishedAt = 0;
  return {
    line(text) {
      n += 1;
      const line = text.trim();
      if (!line) return { ok: true };
      if (line.length > MAX_LINE_CHARS)
        return { ok: false, message: `line ${n}: longer than ${MAX_LINE_CHARS / (1024 * 1024)} MB` };
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
      const start = origin ?? event.t;
      const outside = [event.t, 'scheduledAt' in event ? event.scheduledAt : undefined].find(
        (time) => time !== undefined && (Math.abs(time) > MAX_ABS_TIME_MS || Math.abs(time - start) > MAX_SPAN_MS),
      );
      if (outside !== undefined) {
        return { ok: false, message: `line ${n}: time ${outside} is not within 24 h of the run's start (${start})` };
      }
      lastT = Math.max(lastT, event.t);
      if (count === 0) {
        if (event.type !== 'run.started')
          return { ok: false, message: `line ${n}: the first event must be run.started, not ${event.type}` };
        const plan = runRequestSchema.safeParse(event.plan);
        if (!plan.success) return { ok: false, message: `line ${n}: plan: ${describeZodError(plan.error)}` };
        origin = event.t;
        count += 1;
        return { ok: true, event: { ...event, runId } };
      }
      count += 1;
      if (event.type === 'run.started')
        return { ok: false, message: `line ${n}: a file holds one run; run.started appears again` };
      if (event.type === 'run.finished') {
        finishedAt = n;
        return { ok: true, event: { ...event, runId } };
      }
      return { ok: true, event };
    },
    end() {
      if (count === 0)
        return { ok: false, message: 'the file is empty: expected JSON lines starting with run.started' };
      if (finishedAt) return { ok: true };
      return {
        ok: true,
        event: {
          type: 'run.finished',
          t: lastT,
          runId,
          status: 'failed',
          message: 'the imported file had no run.finished line',
        },
      };
    },
  };
}

/**
 * Parses JSON lines into a run's events, renamed to `runId`. The first line must be
 * run.started (with a valid plan); run.finished, if present, must be last; a file
 * without one (a recording cut short) is closed as failed.
 */
export function parseTraceFile(text: string, runId: string): ParsedTraceFile {
  const checker = createTraceFileChecker(runId);
  const events: TraceEvent[] = [];
  for (const line of text.split('\n')) {
    const checked = checker.line(line);
    if (!checked.ok) return checked;
    if (checked.event) events.push(checked.event);
  }
  const closing = checker.end();
  if (!closing.ok) return closing;
  if (closing.event) events.push(closing.event);
  return { ok: true, events };
}
