/**
 * One run, from its run.started to its stored summary: the load it sends, the events it
 * records, how it ends. The Lab (lab.ts) decides whether a run may start and hands it the
 * events of the moment; a Run decides nothing about the lab.
 */
import type { Collection, Document } from 'mongodb';
import type { RunSummary } from '../../common/api';
import { isLongPollRun, isTracedRid, traceEveryOf, type LabConfig, type RunRequest } from '../../common/config';
import { now, type TraceEvent } from '../../common/trace';
import type { LoadGenerator, LoadHandle } from '../load/generator';
import type { LiveHub } from './live';
import { createSampleWatch, runLongPoll, type SampleWatch } from './longPollRun';
import type { RunStore, RunWriter } from './runStore';
import { createSummaryBuilder, type SummaryBuilder } from './summary';

/** How long a finished run waits for the subject's last samples, ms. */
const TAIL_WAIT_MS = 1000;
/** How often a running run's summary goes out on the live stream, ms. */
const RUN_UPDATE_MS = 250;

/** What a run uses of the lab around it. */
export interface RunContext {
  store: RunStore;
  live: LiveHub;
  log: (line: string) => void;
  /** The subject's base URL now. */
  subjectUrl: () => string;
  /** Opens the subject's pool before the clock starts. */
  warmSubject: () => Promise<void>;
  /** The lab's generator thread. */
  loadGenerator: () => LoadGenerator;
  /** The generator failed: the next run gets a fresh thread. */
  dropLoadGenerator: () => void;
  /** Where the load's events go: the lab routes them to the run that records now (lab.ts). */
  route: (events: TraceEvent[]) => void;
  /** The lab's own client on the subject's users (a long-poll run publishes through it). */
  users: () => Collection<Document>;
  /** The subject's workers, which each send the samples a run's tail waits for. */
  workers: number;
  /** The config's mode when the run started (a long-poll run reports it). */
  mode: LabConfig['mode'];
  /** Whether the lab is shutting down (a cancelled run then says so). */
  closing: () => boolean;
  /** The run has ended and is no longer the lab's active run (before its file closes). */
  ended: (run: Run) => void;
  /** A run that failed to save, or ended otherwise than it ran, changes what health says. */
  healthChanged: () => void;
}

export class Run {
  readonly id: string;
  readonly done: Promise<void>;
  private readonly writer: RunWriter;
  private readonly builder: SummaryBuilder;
  /** False while the pool warms up: those events are not part of the run. */
  private recording = false;
  private load: LoadHandle | undefined;
  private cancelled = false;
  /** Set when the run's file cannot be written: the run stops and ends as failed. */
  private saveError: Error | undefined;
  /** Set when the subject crashed or went down mid-run: the run stops and ends as failed. */
  private subjectLost: string | undefined;
  /** Latest sample time seen per subject worker (to wait for the run's tail). */
  private readonly lastSample = new Map<number, number>();
  /** Long-poll runs: what the subject's samples say about the held long-polls. */
  private watch: SampleWatch | undefined;
  /** The trace keeps one generated request in this many (traceEveryOf in common/knobs.ts). */
  private readonly traceEvery: number;

  /** Starts `plan` in the background; its run.started is stored and announced at once. */
  constructor(
    private readonly ctx: RunContext,
    started: Extract<TraceEvent, { type: 'run.started' }>,
    plan: RunRequest,
  ) {
    this.id = started.runId;
    this.traceEvery = isLongPollRun(plan) ? 1 : traceEveryOf(plan);
    this.builder = createSummaryBuilder();
    this.builder.add(started);
    this.writer = ctx.store.create(started, (error) => {
      this.saveError = error;
      this.load?.cancel();
    });
    ctx.store.track(this.summary());
    ctx.live.broadcast({ type: 'run', run: this.summary() });
    this.done = this.execute(plan).catch((error: unknown) => {
      // execute() handles its own failures; this is the backstop that keeps the lab up.
      ctx.log(`run ${this.id} could not be finished: ${describe(error)}`);
      ctx.ended(this);
    });
  }

  /** The summary so far. */
  summary(): RunSummary {
    return this.builder.result()!;
  }

  /** Whether the run records events now (a hand-sent request then belongs to it). */
  isRecording(): boolean {
    return this.recording;
  }

  /**
   * Events of the moment: recorded (and streamed under this run's id) while the run records.
   * False when the run is not recording them, so the lab streams them as unowned.
   */
  record(events: TraceEvent[]): boolean {
    if (!this.recording) return false;
    // A sampled run keeps one generated request in traceEvery, subject side included.
    if (this.traceEvery > 1)
      events = events.filter((e) => !('rid' in e) || isTracedRid(e.rid, this.id, this.traceEvery));
    if (events.length === 0) return true;
    this.writer.append(events);
    for (const e of events) this.builder.add(e);
    this.ctx.live.publishEvents(this.id, events);
    return true;
  }

  /** The subject's own events: its samples say how far its trace has caught up. */
  observeSubject(events: TraceEvent[]): void {
    if (!this.recording) return;
    for (const e of events) if (e.type === 'sample') this.lastSample.set(e.worker, e.t);
    this.watch?.observe(events);
  }

  /** The subject went away mid-run: measuring its restart as latency would be a lie, so the run fails. */
  subjectGone(reason: string): void {
    if (this.subjectLost) return;
    this.subjectLost = reason;
    this.load?.cancel();
  }

  /** Stops the run; `done` resolves once it is stored as cancelled. */
  cancel(): Promise<void> {
    this.cancelled = true;
    this.load?.cancel();
    return this.done;
  }

  private async execute(plan: RunRequest): Promise<void> {
    const { ctx } = this;
    const ticker = setInterval(() => {
      const summary = this.builder.result();
      if (summary) ctx.live.broadcast({ type: 'run', run: summary });
    }, RUN_UPDATE_MS);
    let status: 'done' | 'failed' | 'cancelled' = 'done';
    let message: string | undefined;
    try {
      // Open the pool before the clock starts: the run measures the pool, not the ramp.
      await ctx.warmSubject();
      if (this.cancelled) throw new Error('cancelled before it started');
      if (this.saveError) throw this.saveError;
      this.recording = true;
      const result = isLongPollRun(plan)
        ? await this.executeLongPoll(plan)
        : await (this.load = ctx.loadGenerator().start({
            baseUrl: ctx.subjectUrl(),
            runId: this.id,
            plan,
            onEvents: ctx.route,
          })).result;
      if (result.cancelled || this.cancelled) status = 'cancelled';
      // A cancelled run ends now: its tail is not worth waiting for.
      else await this.waitForTail();
    } catch (error) {
      status = this.cancelled ? 'cancelled' : 'failed';
      message = describe(error);
      // The generator may be what failed: the next run gets a fresh thread.
      if (this.load) ctx.dropLoadGenerator();
      ctx.log(`run ${this.id} ${status}: ${message}`);
    } finally {
      clearInterval(ticker);
    }
    if (this.subjectLost && !this.cancelled) {
      status = 'failed';
      message = this.subjectLost;
    }
    await this.writer.flush();
    const saveError = this.saveError ?? this.writer.error();
    if (saveError) {
      status = 'failed';
      message = `the run could not be saved: ${saveError.message}`;
    }
    if (status === 'cancelled' && !message) message = ctx.closing() ? 'the lab was stopped' : 'cancelled';
    const finished: TraceEvent = {
      type: 'run.finished',
      t: now(),
      runId: this.id,
      status,
      ...(message ? { message } : {}),
    };
    this.writer.append([finished]);
    this.builder.add(finished);
    ctx.live.publishEvents(this.id, [finished]);
    this.recording = false;
    ctx.ended(this);
    await this.writer.close();
    let summary = this.summary();
    try {
      // Deleted as it finished: nothing is stored, and the list is not told of it again.
      if (!(await ctx.store.save(summary))) return;
    } catch (error) {
      summary = { ...summary, status: 'failed', message: `the run could not be saved: ${describe(error)}` };
      ctx.store.track(summary);
      ctx.log(`run ${this.id} failed: ${summary.message}`);
    }
    ctx.live.broadcast({ type: 'run', run: summary });
    if (saveError || summary.status !== this.summary().status) ctx.healthChanged();
  }

  /** A long-poll run's phases (server/lab/longPollRun.ts) on this lab's subject, generator and database. */
  private executeLongPoll(plan: Extract<RunRequest, { route: 'longPoll' }>) {
    const { ctx } = this;
    this.watch = createSampleWatch();
    return runLongPoll(
      {
        runId: this.id,
        plan,
        mode: ctx.mode,
        subjectUrl: ctx.subjectUrl(),
        users: ctx.users(),
        startLoad: (options) =>
          (this.load = ctx.loadGenerator().start({
            baseUrl: ctx.subjectUrl(),
            runId: this.id,
            plan,
            onEvents: ctx.route,
            ...options,
          })),
        record: ctx.route,
        cancelled: () => this.cancelled,
      },
      this.watch,
    );
  }

  /**
   * The subject ships its events in batches, so the last replies' subject-side events and
   * the samples that cover them arrive a little after the last client.done. Wait until every
   * worker has sent a sample dated after the end (or give up after TAIL_WAIT_MS).
   */
  private async waitForTail(): Promise<void> {
    const end = now();
    const deadline = end + TAIL_WAIT_MS;
    while (now() < deadline) {
      let caughtUp = 0;
      for (const t of this.lastSample.values()) if (t > end) caughtUp += 1;
      if (caughtUp >= this.ctx.workers) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
