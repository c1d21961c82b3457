/**
 * Runs on disk: one JSON-lines trace per run (`<dataDir>/runs/<id>.jsonl`, first line
 * run.started, last run.finished) plus a small summary beside it (`<id>.summary.json`) so
 * listing runs does not re-read every trace.
 *
 * Crash safety: each append is whole lines in one write, so a crash can at most cut the
 * last line short; readers skip a line that does not parse. A trace without run.finished
 * (the lab died mid-run) is closed as failed the next time the store opens.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { createInterface } from 'node:readline';
import type { RunSummary } from '../../common/api';
import { parseTraceEvent, type TraceEvent } from '../../common/trace';
import { isRunId } from './runIds';
import { createSummaryBuilder, summarizeTrace } from './summary';

export interface RunWriter {
  append(events: readonly TraceEvent[]): void;
  /** Waits until everything appended so far is in the file (or has failed to get there). */
  flush(): Promise<void>;
  /** The first write that failed (EPERM, ENOSPC, ...), if any. */
  error(): Error | undefined;
  /** Waits until everything appended so far is in the file. Never rejects. */
  close(): Promise<void>;
}

/** An imported trace being written: renamed to `<id>.jsonl` once it has been checked whole. */
export interface TraceImport {
  /** Appends checked events, waiting while the disk catches up. Rejects (and cleans up) if the file cannot be written. */
  write(events: readonly TraceEvent[]): Promise<void>;
  /** Puts the trace in place and stores its summary. Rejects (and cleans up) if that fails. */
  commit(summary: RunSummary): Promise<RunSummary>;
  /** Drops the partial file (a refused or abandoned import). */
  abort(): Promise<void>;
}

const IMPORTING_SUFFIX = '.importing';

/** How long a health check trusts the last write it saw (or its own probe), ms. */
const WRITABLE_CHECK_MS = 5000;

/** `EPERM: operation not permitted, open '<file>'`: Node's message already names the file. */
function describeFsError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RunStore {
  readonly dir: string;
  private readonly summaries = new Map<string, RunSummary>();
  /**
   * Deleted run ids: a save or track that arrives after the delete (a run finishing as it
   * is deleted) is dropped, so a deleted run never comes back in the list or on disk.
   */
  private readonly deleted = new Set<string>();
  /** Per run, the file work in progress (save, delete): each waits for the one before. */
  private readonly pending = new Map<string, Promise<unknown>>();
  /** The latest evidence about whether runs can be written: a real write or a probe. */
  private writable: { at: number; problem: string | undefined } | undefined;

  constructor(
    dataDir: string,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.dir = path.join(dataDir, 'runs');
  }

  /** Creates the folder and loads every stored run, closing the ones a crash left open. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      if (name.endsWith(IMPORTING_SUFFIX)) {
        // An import the lab stopped in the middle of: never a run.
        await rm(path.join(this.dir, name), { force: true, recursive: true }).catch(() => undefined);
        continue;
      }
      const id = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : '';
      if (!isRunId(id)) continue;
      try {
        const stored = await this.readSummary(id);
        if (stored && stored.status !== 'running') {
          this.summaries.set(id, stored);
          continue;
        }
        await this.recover(id, stored?.imported === true);
      } catch (error) {
        // One bad file (a directory named like a trace, an unreadable one) must not stop the lab.
        this.log(`skipping run file ${path.join(this.dir, name)}: ${describeFsError(error)}`);
      }
    }
  }

  list(): RunSummary[] {
    return [...this.summaries.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  get(id: string): RunSummary | undefined {
    return this.summaries.get(id);
  }

  tracePath(id: string): string {
    if (!isRunId(id)) throw new Error(`not a run id: ${id}`);
    return path.join(this.dir, `${id}.jsonl`);
  }

  /**
   * Starts a run's file with its run.started line. A failing write does not throw: the
   * writer remembers it (`error()`) and tells `onError` once, so the run can end as failed.
   */
  create(started: TraceEvent & { type: 'run.started' }, onError: (error: Error) => void = () => {}): RunWriter {
    const stream: WriteStream = createWriteStream(this.tracePath(started.runId), { flags: 'a' });
    let failure: Error | undefined;
    stream.on('error', (error) => {
      if (failure) return;
      failure = error;
      this.noteWrite(error);
      this.log(`could not write run ${started.runId}: ${error.message}`);
      onError(error);
    });
    const write = (events: readonly TraceEvent[]) => {
      if (events.length === 0 || failure || stream.destroyed) return;
      stream.write(`${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    };
    write([started]);
    return {
      append: write,
      flush: () => new Promise<void>((resolve) => (stream.destroyed ? resolve() : stream.write('', () => resolve()))),
      error: () => failure,
      close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
    };
  }

  /**
   * Records a run's latest summary (and on disk once it has finished). Rejects if the file
   * cannot be written. Resolves false (and writes nothing) if the run was deleted meanwhile.
   */
  async save(summary: RunSummary): Promise<boolean> {
    const { id } = summary;
    if (this.deleted.has(id)) return false;
    this.summaries.set(id, summary);
    if (summary.status === 'running') return true;
    const file = this.summaryPath(id);
    return this.serially(id, async () => {
      if (this.deleted.has(id)) return false;
      try {
        await writeFile(`${file}.tmp`, JSON.stringify(summary));
        await rename(`${file}.tmp`, file);
      } catch (error) {
        this.noteWrite(error);
        throw error;
      }
      this.noteWrite(undefined);
      return true;
    });
  }

  /** Whether a run was deleted (its late saves are dropped). */
  wasDeleted(id: string): boolean {
    return this.deleted.has(id);
  }

  /** Runs `work` on run `id`'s files after any earlier work on them has settled. */
  private serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const before = this.pending.get(id) ?? Promise.resolve();
    const result = before.then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.pending.set(id, settled);
    void settled.then(() => {
      if (this.pending.get(id) === settled) this.pending.delete(id);
    });
    return result;
  }

  /**
   * Why runs cannot be saved right now, or undefined if they can: the last write's outcome,
   * or (when that is older than a few seconds) a probe file written and removed.
   */
  async savingProblem(): Promise<string | undefined> {
    if (this.writable && Date.now() - this.writable.at < WRITABLE_CHECK_MS) return this.writable.problem;
    const probe = path.join(this.dir, '.write-probe');
    try {
      await writeFile(probe, '');
      await rm(probe, { force: true });
      this.noteWrite(undefined);
    } catch (error) {
      this.noteWrite(error);
    }
    return this.writable?.problem;
  }

  private noteWrite(error: unknown): void {
    this.writable = { at: Date.now(), problem: error === undefined ? undefined : describeFsError(error) };
  }

  /** Shows a running run in the list without writing its summary yet. */
  track(summary: RunSummary): void {
    if (this.deleted.has(summary.id)) return;
    this.summaries.set(summary.id, summary);
  }

  /**
   * Forgets a run and removes its files, after any save in progress: a run that finishes
   * as it is deleted leaves neither a listed summary nor a file behind.
   */
  async delete(id: string): Promise<boolean> {
    if (!this.summaries.delete(id)) return false;
    this.deleted.add(id);
    await this.serially(id, async () => {
      await rm(this.tracePath(id), { force: true });
      await rm(this.summaryPath(id), { force: true });
      await rm(`${this.summaryPath(id)}.tmp`, { force: true });
    });
    return true;
  }

  /**
   * Starts storing an imported trace as run `id`: checked events are appended to a temporary
   * file (`<id>.jsonl.importing`, never listed), which `commit` renames into place with the
   * summary beside it; `abort` removes it. Memory stays flat whatever the file's size.
   */
  beginImport(id: string): TraceImport {
    const temp = `${this.tracePath(id)}${IMPORTING_SUFFIX}`;
    const stream = createWriteStream(temp, { flags: 'wx' });
    let failure: Error | undefined;
    stream.on('error', (error) => {
      failure ??= error;
    });
    // The file is opened asynchronously: a stream destroyed before its open completes still
    // creates the file, so it is removed only once the stream has closed.
    const destroyed = (): Promise<void> => {
      stream.destroy();
      return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
    };
    const fail = async (error: unknown): Promise<never> => {
      this.noteWrite(error);
      await destroyed();
      this.summaries.delete(id);
      await rm(temp, { force: true }).catch(() => undefined);
      await rm(this.tracePath(id), { force: true }).catch(() => undefined);
      throw error;
    };
    return {
      write: async (events) => {
        if (failure) return fail(failure);
        if (events.length === 0) return;
        if (!stream.write(`${events.map((e) => JSON.stringify(e)).join('\n')}\n`)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              stream.off('drain', done);
              stream.off('error', done);
              resolve();
            };
            stream.on('drain', done);
            stream.on('error', done);
          });
        }
        if (failure) return fail(failure);
      },
      commit: async (summary) => {
        try {
          stream.end();
          await finished(stream);
          if (failure) throw failure;
          await rename(temp, this.tracePath(id));
          await this.save(summary);
        } catch (error) {
          return fail(error);
        }
        return summary;
      },
      abort: async () => {
        await destroyed();
        await rm(temp, { force: true }).catch(() => undefined);
      },
    };
  }

  /** Stores an already validated trace as a new run. */
  async importTrace(id: string, events: readonly TraceEvent[]): Promise<RunSummary> {
    const summary = summarizeTrace(events, { id, imported: true });
    if (!summary) throw new Error('an imported trace needs a run.started line');
    const writing = this.beginImport(id);
    await writing.write(events);
    return writing.commit(summary);
  }

  /** Reads a trace line by line, skipping lines that do not parse (a cut-short last line). */
  async *readTrace(id: string): AsyncGenerator<TraceEvent> {
    const lines = createInterface({ input: createReadStream(this.tracePath(id)), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      const parsed = parseTraceEvent(value);
      if (parsed.ok) yield parsed.event;
    }
  }

  private summaryPath(id: string): string {
    return path.join(this.dir, `${id}.summary.json`);
  }

  private async readSummary(id: string): Promise<RunSummary | undefined> {
    try {
      const value: unknown = JSON.parse(await readFile(this.summaryPath(id), 'utf8'));
      if (isStoredSummary(value, id)) return value;
      // Rebuilt from the trace instead, which is the source of truth.
      this.log(`ignoring ${id}.summary.json: not a run summary; rebuilding it from the trace`);
      return undefined;
    } catch {
      return undefined;
    }
  }

  private async recover(id: string, imported: boolean): Promise<void> {
    const builder = createSummaryBuilder();
    let finished = false;
    for await (const event of this.readTrace(id)) {
      builder.add(event);
      if (event.type === 'run.finished') finished = true;
    }
    if (!builder.result()) {
      this.log(`skipping ${id}.jsonl: it has no run.started line`);
      return;
    }
    if (!finished) {
      const closing: TraceEvent = {
        type: 'run.finished',
        t: Date.now(),
        runId: id,
        status: 'failed',
        message: 'the lab stopped before this run finished; every completed line was kept',
      };
      // A cut-short last line must not swallow the closing one.
      await appendFile(this.tracePath(id), `\n${JSON.stringify(closing)}\n`);
      builder.add(closing);
      this.log(`run ${id} was interrupted; closed it as failed`);
    }
    await this.save(builder.result({ id, imported })!);
  }
}

const STATUSES = new Set(['running', 'done', 'failed', 'cancelled']);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Enough of a RunSummary's shape that listing and sorting runs cannot fail on it. */
function isStoredSummary(value: unknown, id: string): value is RunSummary {
  if (!isObject(value) || value.id !== id || !STATUSES.has(value.status as string)) return false;
  if (!isObject(value.config) || !isObject(value.plan) || !isObject(value.latencyMs) || !isObject(value.loop))
    return false;
  return ['startedAt', 'completed', 'errors', 'durationMs', 'throughputPerSec'].every((key) => isNumber(value[key]));
}
