/**
 * The lab's control plane, without HTTP: the current config, the one run at a time, where
 * trace events go (the running run's file and the live stream), and the subject's state.
 * What the lab says of its health (the database, the subject, saving) is health.ts; how a
 * run executes, records and ends is run.ts.
 * server/lab/routes/* are thin HTTP wrappers around it.
 */
import type { MongoClient } from 'mongodb';
import type { DatabaseInfo, HealthResponse, RunSummary, TornadoRuntimeInfo } from '../../common/api';
import type { HandlerVersion } from '../../common/handlers';
import { isLongPollRun, type LabConfig, type LabConfigPatch, type RunRequest } from '../../common/config';
import type { Runtime } from '../../common/knobs';
import { now, TRACE_VERSION, type TraceEvent } from '../../common/trace';
import type { SubjectState, SubjectSupervisor } from '../subject/supervisorContract';
import { createLoadGenerator, type LoadGenerator } from '../load/generator';
import { HttpError } from '../../common/httpError';
import type { LiveHub } from './live';
import { LAB_DB_NAME } from '../db/seed';
import { USERS_COLLECTION } from '../subject/data/operations';
import { longPollRefusal } from './longPollRun';
import { openFileLimit, openFileProblem } from './openFiles';
import { describeDriver } from './driver';
import { newRunId } from './runIds';
import type { RunStore } from './runStore';
import { LabHealth } from './health';
import { describe, Run, type RunContext } from './run';

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

export class Lab {
  private config: LabConfig;
  private supervisor: SubjectSupervisor | undefined;
  private subjectState: SubjectState = 'starting';
  private subjectMessage: string | undefined;
  private active: Run | undefined;
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
    if (this.active?.id === id) return this.active.summary();
    return this.deps.store.get(id);
  }

  listRuns(): RunSummary[] {
    return this.deps.store.list().map((run) => (run.id === this.active?.id ? this.active.summary() : run));
  }

  /** Trace events from the subject (any process). */
  readonly onSubjectEvents = (events: TraceEvent[]): void => {
    this.active?.observeSubject(events);
    this.route(events);
  };

  readonly onSubjectState = (state: SubjectState, message?: string): void => {
    this.subjectState = state;
    this.subjectMessage = message;
    const run = this.active;
    // A database outage is part of what a run may measure (503s from a live subject); a
    // subject process that is gone or being replaced is not.
    // The run's requests go to one subject address; a restarted subject has another.
    if (run && (state === 'restarting' || (state === 'down' && !this.subjectRunning())))
      run.subjectGone(
        `the subject ${state === 'down' ? 'went down' : 'restarted'} during the run${message ? ` (${message})` : ''}`,
      );
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
    return this.active?.isRecording() ? this.active.id : null;
  }

  /** Events go to the run that records now, or out on the live stream as nobody's. */
  private readonly route = (events: TraceEvent[]): void => {
    if (!this.active?.record(events)) this.deps.live.publishEvents(null, events);
  };

  health(): Promise<HealthResponse> {
    return this.status.health();
  }

  /** Starts the subject with the initial config, and opens the lab's own connection to the database meanwhile (health.ts). */
  async start(): Promise<void> {
    await Promise.all([this.subject.start(this.config), this.status.connect()]);
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
    const run = new Run(this.runContext(), started, plan);
    this.active = run;
    this.lastRun = run.done;
    return id;
  }

  /** What a run uses of this lab. */
  private runContext(): RunContext {
    return {
      store: this.deps.store,
      live: this.deps.live,
      log: this.deps.log,
      subjectUrl: () => this.subject.url(),
      warmSubject: () => this.subject.warm(),
      loadGenerator: () => this.loadGenerator(),
      dropLoadGenerator: () => {
        void this.generator?.close();
        this.generator = undefined;
      },
      route: this.route,
      users: () => this.deps.database.client.db(LAB_DB_NAME).collection(USERS_COLLECTION),
      workers: this.config.workers,
      mode: this.config.mode,
      closing: () => this.closed,
      ended: (run) => {
        if (this.active === run) this.active = undefined;
      },
      healthChanged: () => void this.broadcastHealth(),
    };
  }

  private lastRun: Promise<void> = Promise.resolve();

  /** Resolves once the latest run has ended and its summary is stored (or dropped, if it was deleted). */
  settled(): Promise<void> {
    return this.lastRun;
  }

  async cancelRun(id: string): Promise<RunSummary> {
    const run = this.active;
    if (!run || run.id !== id) throw new HttpError(409, `run ${id} is not running`);
    await run.cancel();
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

  /** Cancels a running run (its file is closed as cancelled) and stops the subject. */
  async close(): Promise<void> {
    this.closed = true;
    this.status.close();
    await this.active?.cancel();
    await this.generator?.close();
    await this.supervisor?.stop();
  }
}
