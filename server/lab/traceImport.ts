/**
 * POST /api/runs/import, off the request path: the body is read as a stream, split into
 * lines, each line checked (traceFile.ts) and appended to a temporary file as it arrives,
 * and the summary built as it goes. The file is never held whole, and the work is cut into
 * slices of a few milliseconds so the lab's other requests are answered meanwhile.
 */
import { StringDecoder } from 'node:string_decoder';
import type { RunSummary } from '../../common/api';
import { HttpError } from '../../common/httpError';
import type { TraceEvent } from '../../common/trace';
import type { RunStore } from './runStore';
import { createSummaryBuilder } from './summary';
import { createTraceFileChecker, IMPORT_LIMIT_BYTES, MAX_LINE_CHARS } from './traceFile';

/** The longest the import works before letting the loop answer others, ms. */
const SLICE_MS = 8;
/** Checked events are written in batches of about this many. */
const WRITE_BATCH = 512;

export function tooLarge(limit = IMPORT_LIMIT_BYTES): HttpError {
  return new HttpError(
    413,
    `request body is too large: the limit for this endpoint is ${Math.round(limit / (1024 * 1024))} MB`,
  );
}

/**
 * Reads a trace file from `body` into run `id`. Throws HttpError: 400 for a bad line (with
 * its number), 413 past `limit` bytes, 503 if the file cannot be written. Nothing is left
 * behind on failure.
 */
export async function importTraceStream(
  body: AsyncIterable<Buffer | string>,
  id: string,
  store: RunStore,
  limit = IMPORT_LIMIT_BYTES,
): Promise<RunSummary> {
  const checker = createTraceFileChecker(id);
  const builder = createSummaryBuilder();
  const decoder = new StringDecoder('utf8');
  const writing = store.beginImport(id);
  let batch: TraceEvent[] = [];
  let received = 0;
  let pending = '';
  let sliceStart = performance.now();

  const take = (line: string) => {
    const checked = checker.line(line);
    if (!checked.ok) throw new HttpError(400, `invalid trace file: ${checked.message}`);
    if (!checked.event) return;
    builder.add(checked.event);
    batch.push(checked.event);
  };
  const flush = async () => {
    const events = batch;
    batch = [];
    await written(writing.write(events));
  };

  try {
    for await (const chunk of body) {
      received += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      if (received > limit) throw tooLarge(limit);
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let from = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', from)) {
        take(pending.slice(from, nl));
        from = nl + 1;
        if (batch.length >= WRITE_BATCH) await flush();
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
      }
      pending = pending.slice(from);
      if (pending.length > MAX_LINE_CHARS) take(pending);
    }
    take(pending + decoder.end());
    const closing = checker.end();
    if (!closing.ok) throw new HttpError(400, `invalid trace file: ${closing.message}`);
    if (closing.event) {
      builder.add(closing.event);
      batch.push(closing.event);
    }
    await flush();
  } catch (error) {
    await writing.abort();
    throw error;
  }
  const summary = builder.result({ id, imported: true });
  if (!summary) throw new HttpError(400, 'invalid trace file: it has no run.started line');
  return written(writing.commit(summary));
}

async function written<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new HttpError(503, `the run could not be saved: ${error instanceof Error ? error.message : String(error)}`);
  }
}
