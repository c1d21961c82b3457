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
import { createInterface } from 'node:readline';
import type { RunSummary } from '../../common/api';
import { parseTraceEvent, type TraceEvent } from '../../common/trace';
import { isRunId } from './runIds';
import { createSummaryBuilder, summarizeTrace } from './summary';

export interface RunWriter {
  append(events: readonly TraceEvent[]): void;
  /** Waits until everything appended so far is in the file. */
  close(): Promise<void>;
}

export class RunStore {
  readonly dir: string;
  private readonly summaries = new Map<string, RunSummary>();

  constructor(dataDir: string, private readonly log: (line: string) => void = () => {}) {
    this.dir = path.join(dataDir, 'runs');
  }

  /** Creates the folder and loads every stored run, closing the ones a crash left open. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      const id = name.endsWith('.jsonl') ? name.slice(0, -'.jsonl'.length) : '';
      if (!isRunId(id)) continue;
      const stored = await this.readSummary(id);
      if (stored && stored.status !== 'running') {
        this.summaries.set(id, stored);
        continue;
      }
      await this.recover(id, stored?.imported === true);
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

  /** Starts a run's file with its run.started line. */
  create(started: TraceEvent & { type: 'run.started' }): RunWriter {
    const stream: WriteStream = createWriteStream(this.tracePath(started.runId), { flags: 'a' });
    stream.on('error', (error) => this.log(`could not write run ${started.runId}: ${error.message}`));
    const write = (events: readonly TraceEvent[]) => {
      if (events.length === 0) return;
      stream.write(`${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    };
    write([started]);
    return {
      append: write,
      close: () => new Promise<void>((resolve) => stream.end(() => resolve())),
    };
  }

  /** Records a run's latest summary (and on disk once it has finished). */
  async save(summary: RunSummary): Promise<void> {
    this.summaries.set(summary.id, summary);
    if (summary.status === 'running') return;
    const file = this.summaryPath(summary.id);
    await writeFile(`${file}.tmp`, JSON.stringify(summary));
    await rename(`${file}.tmp`, file);
  }

  /** Shows a running run in the list without writing its summary yet. */
  track(summary: RunSummary): void {
    this.summaries.set(summary.id, summary);
  }

  async delete(id: string): Promise<boolean> {
    if (!this.summaries.delete(id)) return false;
    await rm(this.tracePath(id), { force: true });
    await rm(this.summaryPath(id), { force: true });
    return true;
  }

  /** Stores an already validated trace as a new run. */
  async importTrace(id: string, events: readonly TraceEvent[]): Promise<RunSummary> {
    const summary = summarizeTrace(events, { id, imported: true });
    if (!summary) throw new Error('an imported trace needs a run.started line');
    await writeFile(this.tracePath(id), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    await this.save(summary);
    return summary;
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
      return JSON.parse(await readFile(this.summaryPath(id), 'utf8')) as RunSummary;
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
