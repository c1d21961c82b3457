/**
 * The lab's control plane, without HTTP: the current config, the one run at a time, where
 * trace events go (the running run's file and the live stream), and the subject's state.
 * What the lab says of its health (the database, the subject, saving) is health.ts.
 * server/lab/routes/* are thin HTTP wrappers around it.
 */
import type { MongoClient } from 'mongodb';
import type { DatabaseInfo, HealthResponse, RunSummary, TornadoRuntimeInfo } from '../../common/api';
import type { HandlerVersion } from '../../common/handlers';
import {
  isLongPollRun,
  isTracedRid,
  traceEveryOf,
  type LabConfig,
  type LabConfigPatch,
  type RunRequest,
} from '../../common/config';
import type { Runtime } from '../../common/knobs';
import { now, TRACE_VERSION, type TraceEvent } from '../../common/trace';
import type { SubjectState, SubjectSupervisor } from '../subject/api';
import { createLoadGenerator, type LoadGenerator, type LoadHandle } from '../load/generator';
import { HttpError } from '../../common/httpError';
import type { LiveHub } from './live';
import { LAB_DB_NAME } from '../db/seed';
import { USERS_COLLECTION } from '../subject/data/operations';
import { createSampleWatch, longPollRefusal, runLongPoll, type SampleWatch } from './longPollRun';
import { openFileLimit, openFileProblem } from './openFiles';
import { describeDriver } from './driver';
import { newRunId } from './runIds';
import type { RunStore, RunWriter } from './runStore';
import { createSummaryBuilder, type SummaryBuilder } from './summary';
import { LabHealth } from './health';

interface ActiveRun {
  id: string;
  writer: RunWriter;
  builder: SummaryBuilder;
  /** False while the pool warms up: those events are not part of the run. */
  recording: boolean;
  load?: LoadHandle;
  cancelled: boolean;
  /** Set when the run's file cannot be written: the run stops and ends as failed. */
  saveError?: Error;
  /** Set when the subject crashed or went down mid-run: the run stops and ends as failed. */
  subjectLost?: string;
  /** Latest sample time seen per subject worker (to wait for the run's tail). */
  lastSample: Map<number, number>;
  /** Long-poll runs: what the subject's samples say about the held long-polls. */
  watch?: SampleWatch;
  /** The trace keeps one generated request in this many (traceEveryOf in common/knobs.ts). */
  traceEvery: number;
  done: Promise<void>;
}

export interface LabDeps {
  store: RunStore;
  live: LiveHub;
  database: { info: DatabaseInfo; client: MongoClient };
  config: LabConfig;
  log: (line: string) => void;
  /** Whether the Tornado subject can run here (probed once; server/subject-tornado/python.ts). */
  tornado: () => Promise<TornadoRuntimeInfo>;
  /** Which handler versions the subject serves now: recorded in each run's run.started. */
  handlerVersions?: (runtime: Runtime) => HandlerVersion[];
}

/** How long a finished run waits for the subject's last samples, ms. */
const TAIL_WAIT_MS = 1000;
/** How often a running run's summary goes out on the live stream, ms. */
const RUN_UPDATE_MS = 250;

export class Lab {
  private config: LabConfig;
  private supervisor: SubjectSupervisor | undefined;
  private subjectState: SubjectState = 'starting';
  private subjectMessage: string | undefined;
  private active: ActiveRun | undefined;
  private applying: Promise<unknown> | undefined;
  private closed = false;
  private generator: LoadGenerator | undefined;

  /** The Tornado runtime as probed (once, at start): what a Tornado run's trace names as its driver. */
  private tornadoInfo: TornadoRuntimeInfo | undefined;

  private readonly status: LabHealth;

  constructor(private readonly deps: LabDeps) {
    void deps.tornado().then(
      (info) => (this.tornadoInfo = info),
      () => undefined,
    );
    this.config = deps.config;
    this.status = new LabHealth({
      database: deps.database,
      store: deps.store,
      tornado: deps.tornado,
      live: deps.live,
      log: deps.log,
      config: () => this.config,
      subject: () => ({
        state: this.subjectState,
        message: this.subjectMessage,
        url: this.subjectRunning() ? this.subject.url() : undefined,
      }),
    });
  }

  /** One generator thread for the lab's lifetime, started with the first run. */
  private loadGenerator(): LoadGenerator {
    this.generator ??= createLoadGenerator();
    return this.generator;
  }

  attach(supervisor: SubjectSupervisor): void {
    this.supervisor = supervisor;
  }

  private get subject(): SubjectSupervisor {
    if (!this.supervisor) throw new Error('the lab has no subject supervisor');
    return this.supervisor;
  }

  /** The subject's base URL (the benchmark points autocannon at it). */
  subjectUrl(): string {
    return this.subject.url();
  }

  currentConfig(): LabConfig {
    return this.config;
  }

  runningId(): string | undefined {
    return this.active?.id;
  }

  /** A run's summary: computed now for the running run, stored for the others. */
  summaryOf(id: string): RunSummary | undefined {
    if (this.active?.id === id) return this.active.builder.result();
    return this.deps.store.get(id);
  }

  listRuns(): RunSummary[] {
    return this.deps.store
      .list()
      .map((run) => (run.id === this.active?.id ? (this.active.builder.result() ?? run) : run));
  }

  /** Trace events from the subject (any process). */
  readonly onSubjectEvents = (events: TraceEvent[]): void => {
    const run = this.active;
    if (run?.recording) {
      for (const e of events) if (e.type === 'sample') run.lastSample.set(e.worker, e.t);
      run.watch?.observe(events);
    }
    this.route(events);
  };

  readonly onSubjectState = (state: SubjectState, message?: string): void => {
    this.subjectState = state;
    this.subjectMessage = message;
    const run = this.active;
    // A database outage is part of what a run may measure (503s from a live subject); a
    // subject process that is gone or being replaced is not.
    if (run && !run.subjectLost && (state === 'restarting' || (state === 'down' && !this.subjectRunning()))) {
      // The run's requests go to one subject address; a restarted subject has another.
      // Measuring a restart as the subject's latency would be a lie: the run fails instead.
      run.subjectLost = `the subject ${state === 'down' ? 'went down' : 'restarted'} during the run${message ? ` (${message})` : ''}`;
      run.load?.cancel();
    }
    if (message) this.deps.log(`subject ${state}: ${message}`);
    void this.broadcastHealth();
  };

  private broadcastHealth(): Promise<void> {
    return this.status.broadcast();
  }

  /** The database went away or came back (its keeper restarted it): health.ts says so. */
  readonly onDatabaseChange = (
    up: boolean,
    message: string,
    state?: { restarting?: boolean; nextRetryAt?: number },
  ): void => this.status.onDatabaseChange(up, message, state);

  /** Why a new run cannot use the database now, if its keeper says it is down. */
  private databaseRefusal(): string | undefined {
    return this.status.databaseRefusal();
  }

  private subjectRunning(): boolean {
    try {
      this.subject.url();
      return true;
    } catch {
      return false;
    }
  }

  /** Events of requests sent by hand through /subject/* (and anything else the lab traces itself). */
  recordClientEvents(events: TraceEvent[]): void {
    this.route(events);
  }

  /** Which run a hand-sent request belongs to: the recording run, if any. */
  recordingRunId(): string | null {
    return this.active?.recording ? this.active.id : null;
  }

  private route(events: TraceEvent[]): void {
    const run = this.active;
    if (run?.recording) {
      // A sampled run keeps one generated request in traceEvery, subject side included.
      if (run.traceEvery > 1)
        events = events.filter((e) => !('rid' in e) || isTracedRid(e.rid, run.id, run.traceEvery));
      if (events.length === 0) return;
      run.writer.append(events);
      for (const e of events) run.builder.add(e);
      this.deps.live.publishEvents(run.id, events);
    } else {
      this.deps.live.publishEvents(null, events);
    }
  }

  health(): Promise<HealthResponse> {
    return this.status.health();
  }

  /** Starts the subject with the initial config. */
  async start(): Promise<void> {
    await this.subject.start(this.config);
  }

  async applyConfig(patch: LabConfigPatch): Promise<LabConfig> {
    if (this.active)
      throw new HttpError(409, `run ${this.active.id} is in progress; change the config when it has finished`);
    if (this.applying) throw new HttpError(409, 'another config change is being applied; try again in a moment');
    const next: LabConfig = { ...this.config, ...patch };
    if (next.runtime === 'tornado' && this.config.runtime !== 'tornado') {
      const tornado = await this.deps.tornado();
      if (!tornado.available)
        throw new HttpError(
          409,
          `the Tornado runtime is unavailable here (${tornado.reason}); install it with: ${tornado.install}`,
        );
    }
    const applying = this.subject.apply(next);
    this.applying = applying;
    try {
      await applying;
    } catch (error) {
      throw new HttpError(
        503,
        `the subject could not apply the config: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.applying = undefined;
    }
    this.config = next;
    this.deps.live.broadcast({ type: 'config', config: next });
    return next;
  }

  /** Starts a run in the background; the returned id is stored at once (status running). */
  startRun(plan: RunRequest): string {
    if (this.closed) throw new HttpError(503, 'the lab is shutting down');
    if (this.active) throw new HttpError(409, `run ${this.active.id} is already running; wait for it or cancel it`);
    if (this.applying) throw new HttpError(409, 'a config change is being applied; start the run when it is done');
    if (this.subjectState !== 'ready')
      throw new HttpError(503, `the subject is ${this.subjectState}; try again when it is ready`);
    const databaseDown = this.databaseRefusal();
    if (databaseDown) throw new HttpError(503, `${databaseDown}; try again when it is back`);
    if (isLongPollRun(plan)) {
      const refusal = longPollRefusal(plan, this.config, openFileProblem(plan.concurrency, openFileLimit()));
      if (refusal) throw new HttpError(409, refusal);
    }
    const id = newRunId();
    const started: TraceEvent = {
      type: 'run.started',
      t: now(),
      runId: id,
      version: TRACE_VERSION,
      config: this.config,
      plan: { ...plan },
      driver: describeDriver(this.config, this.tornadoInfo),
      ...(this.deps.handlerVersions ? { handlers: this.deps.handlerVersions(this.config.runtime) } : {}),
    };
    const builder = createSummaryBuilder();
    builder.add(started);
    const run: ActiveRun = {
      id,
      writer: this.deps.store.create(started, (error) => {
        run.saveError = error;
        run.load?.cancel();
      }),
      builder,
      recording: false,
      cancelled: false,
      traceEvery: isLongPollRun(plan) ? 1 : traceEveryOf(plan),
      lastSample: new Map(),
      done: Promise.resolve(),
    };
    this.active = run;
    this.deps.store.track(builder.result()!);
    this.deps.live.broadcast({ type: 'run', run: builder.result()! });
    run.done = this.execute(run, plan).catch((error: unknown) => {
      // execute() handles its own failures; this is the backstop that keeps the lab up.
      this.deps.log(`run ${id} could not be finished: ${describe(error)}`);
      if (this.active === run) this.active = undefined;
    });
    this.lastRun = run.done;
    return id;
  }

  private lastRun: Promise<void> = Promise.resolve();

  /** Resolves once the latest run has ended and its summary is stored (or dropped, if it was deleted). */
  settled(): Promise<void> {
    return this.lastRun;
  }

  async cancelRun(id: string): Promise<RunSummary> {
    const run = this.active;
    if (!run || run.id !== id) throw new HttpError(409, `run ${id} is not running`);
    run.cancelled = true;
    run.load?.cancel();
    await run.done;
    return this.deps.store.get(id)!;
  }

  async deleteRun(id: string): Promise<void> {
    if (this.active?.id === id)
      throw new HttpError(409, `run ${id} is still running; cancel it first (POST /api/runs/${id}/cancel)`);
    let deleted: boolean;
    try {
      deleted = await this.deps.store.delete(id);
    } catch (error) {
      throw new HttpError(503, `run ${id} could not be deleted: ${describe(error)}`);
    }
    if (!deleted) throw new HttpError(404, `no run with id ${id}`);
  }

  private async execute(run: ActiveRun, plan: RunRequest): Promise<void> {
    const ticker = setInterval(() => {
      const summary = run.builder.result();
      if (summary) this.deps.live.broadcast({ type: 'run', run: summary });
    }, RUN_UPDATE_MS);
    let status: 'done' | 'failed' | 'cancelled' = 'done';
    let message: string | undefined;
    try {
      // Open the pool before the clock starts: the run measures the pool, not the ramp.
      await this.subject.warm();
      if (run.cancelled) throw new Error('cancelled before it started');
      if (run.saveError) throw run.saveError;
      run.recording = true;
      const result = isLongPollRun(plan)
        ? await this.executeLongPoll(run, plan)
        : await (run.load = this.loadGenerator().start({
            baseUrl: this.subject.url(),
            runId: run.id,
            plan,
            onEvents: (events) => this.route(events),
          })).result;
      if (result.cancelled || run.cancelled) status = 'cancelled';
      // A cancelled run ends now: its tail is not worth waiting for.
      else await this.waitForTail(run);
    } catch (error) {
      status = run.cancelled ? 'cancelled' : 'failed';
      message = describe(error);
      if (run.load) {
        // The generator may be what failed: the next run gets a fresh thread.
        void this.generator?.close();
        this.generator = undefined;
      }
      this.deps.log(`run ${run.id} ${status}: ${message}`);
    } finally {
      clearInterval(ticker);
    }
    if (run.subjectLost && !run.cancelled) {
      status = 'failed';
      message = run.subjectLost;
    }
    await run.writer.flush();
    const saveError = run.saveError ?? run.writer.error();
    if (saveError) {
      status = 'failed';
      message = `the run could not be saved: ${saveError.message}`;
    }
    if (status === 'cancelled' && !message) message = this.closed ? 'the lab was stopped' : 'cancelled';
    const finished: TraceEvent = {
      type: 'run.finished',
      t: now(),
      runId: run.id,
      status,
      ...(message ? { message } : {}),
    };
    run.writer.append([finished]);
    run.builder.add(finished);
    this.deps.live.publishEvents(run.id, [finished]);
    run.recording = false;
    this.active = undefined;
    await run.writer.close();
    let summary = run.builder.result()!;
    try {
      // Deleted as it finished: nothing is stored, and the list is not told of it again.
      if (!(await this.deps.store.save(summary))) return;
    } catch (error) {
      summary = { ...summary, status: 'failed', message: `the run could not be saved: ${describe(error)}` };
      this.deps.store.track(summary);
      this.deps.log(`run ${run.id} failed: ${summary.message}`);
    }
    this.deps.live.broadcast({ type: 'run', run: summary });
    if (saveError || summary.status !== run.builder.result()!.status) void this.broadcastHealth();
  }

  /** A long-poll run's phases (server/lab/longPollRun.ts) on this lab's subject, generator and database. */
  private executeLongPoll(run: ActiveRun, plan: Extract<RunRequest, { route: 'longPoll' }>) {
    run.watch = createSampleWatch();
    return runLongPoll(
      {
        runId: run.id,
        plan,
        mode: this.config.mode,
        subjectUrl: this.subject.url(),
        users: this.deps.database.client.db(LAB_DB_NAME).collection(USERS_COLLECTION),
        startLoad: (options) =>
          (run.load = this.loadGenerator().start({
            baseUrl: this.subject.url(),
            runId: run.id,
            plan,
            onEvents: (events) => this.route(events),
            ...options,
          })),
        record: (events) => this.route(events),
        cancelled: () => run.cancelled,
      },
      run.watch,
    );
  }

  /**
   * The subject ships its events in batches, so the last replies' subject-side events and
   * the samples that cover them arrive a little after the last client.done. Wait until every
   * worker has sent a sample dated after the end (or give up after TAIL_WAIT_MS).
   */
  private async waitForTail(run: ActiveRun): Promise<void> {
    const end = now();
    const deadline = end + TAIL_WAIT_MS;
    const workers = this.config.workers;
    while (now() < deadline) {
      let caughtUp = 0;
      for (const t of run.lastSample.values()) if (t > end) caughtUp += 1;
      if (caughtUp >= workers) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Cancels a running run (its file is closed as cancelled) and stops the subject. */
  async close(): Promise<void> {
    this.closed = true;
    const run = this.active;
    if (run) {
      run.cancelled = true;
      run.load?.cancel();
      await run.done;
    }
    await this.generator?.close();
    await this.supervisor?.stop();
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
