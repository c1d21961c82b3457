/**
 * Holds the trace of every run the page has seen, folded incrementally: each batch
 * re-folds only the requests it touches, so 20,000 events/s stay cheap. A run's arrays
 * grow in place (a frame-rate data structure, not UI state); what React reads is a
 * published view: `{ trace, version }` objects whose identity changes exactly when the
 * run's events changed, published at most once per animation frame however many batches
 * arrived (useSyncExternalStore with getSnapshot / view).
 */
import type { RequestEvent, TraceEvent, TraceEventOf } from '../../common/trace';
import { isRequestEvent } from '../../common/traceBasics';
import { foldRequest, type RequestLifecycle } from './lifecycle';

/** Requests sent by hand through /subject/* arrive with runId null; they live here. */
export const AD_HOC_RUN = 'ad-hoc';

export class RunTrace {
  readonly events: TraceEvent[] = [];
  readonly lifecycles: RequestLifecycle[] = [];
  readonly samples: Array<TraceEventOf<'sample'>> = [];
  started?: TraceEventOf<'run.started'>;
  finished?: TraceEventOf<'run.finished'>;
  version = 0;
  private readonly byRid = new Map<string, { index: number; events: RequestEvent[] }>();
  /** Requests not yet done: live views only need these (done ones stay done). */
  private readonly open = new Set<number>();

  constructor(readonly runId: string) {}

  get startT(): number {
    return this.events[0]?.t ?? 0;
  }

  get endT(): number {
    return this.events.at(-1)?.t ?? 0;
  }

  append(batch: readonly TraceEvent[]): void {
    if (batch.length === 0) return;
    const touched = new Set<string>();
    for (const event of batch) {
      insertSorted(this.events, event);
      if (event.type === 'run.started') this.started = event;
      else if (event.type === 'run.finished') this.finished = event;
      else if (event.type === 'sample') insertSorted(this.samples, event);
      else if (isRequestEvent(event)) {
        let entry = this.byRid.get(event.rid);
        if (!entry) {
          entry = { index: this.lifecycles.length, events: [] };
          this.byRid.set(event.rid, entry);
          this.lifecycles.push(undefined as unknown as RequestLifecycle);
        }
        entry.events.push(event);
        touched.add(event.rid);
      }
    }
    for (const rid of touched) {
      const entry = this.byRid.get(rid)!;
      const life = foldRequest(entry.events);
      this.lifecycles[entry.index] = life;
      if (life.doneAt === undefined) this.open.add(entry.index);
      else this.open.delete(entry.index);
    }
    this.version += 1;
  }

  openLifecycles(): RequestLifecycle[] {
    return [...this.open].map((i) => this.lifecycles[i]!);
  }

  lifecycle(rid: string): RequestLifecycle | undefined {
    const entry = this.byRid.get(rid);
    return entry ? this.lifecycles[entry.index] : undefined;
  }
}

/** Keeps an array sorted by t; batches arrive nearly in order, so the search is short. */
export function insertSorted<T extends { t: number }>(list: T[], item: T): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.t > item.t) i -= 1;
  if (i === list.length) list.push(item);
  else list.splice(i, 0, item);
}

/** The index of the first event with t > time (binary search). */
export function upperBound(list: readonly { t: number }[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.t <= time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One run as React reads it: a new object when the run's events change, the same one otherwise. */
export interface TraceView {
  readonly trace: RunTrace | undefined;
  /** The run's version when published (or, for a view derived from it, any key that moves with it). */
  readonly version: number | string;
}

/** Every run as React reads it: a new object on every publication that changed something. */
export interface StoreView {
  readonly version: number;
  readonly runs: ReadonlyMap<string, TraceView & { trace: RunTrace; version: number }>;
}

/** Live events folded per frame at most while a burst is taken in (a few thousand fold in a few ms). */
export const DEFAULT_SLICE = 4000;

export const NO_TRACE: TraceView = Object.freeze({ trace: undefined, version: -1 });

/** When the store tells its readers about new batches: once per animation frame, wherever there are frames. */
export type Schedule = (publish: () => void) => void;

export const perFrame: Schedule = (publish) => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => publish());
  else queueMicrotask(publish);
};

export class TraceStore {
  private readonly runs = new Map<string, RunTrace>();
  private readonly listeners = new Set<() => void>();
  private published: StoreView = { version: 0, runs: new Map() };
  /** Live batches not folded yet (a burst's remainder), in arrival order. */
  private backlog: Array<{ run: RunTrace; events: readonly TraceEvent[]; from: number }> = [];
  private scheduled = false;
  /** Moves on every change; the published view catches up on the next publication. */
  version = 0;

  /**
   * `schedule`: when changes are published (tests pass their own; the page publishes per frame).
   * `slice`: the most live events folded per frame while a burst is being taken in.
   */
  constructor(
    private readonly schedule: Schedule = perFrame,
    private readonly slice = DEFAULT_SLICE,
  ) {}

  run(runId: string): RunTrace | undefined {
    return this.runs.get(runId);
  }

  runIds(): string[] {
    return [...this.runs.keys()];
  }

  /**
   * Adds a live batch; events are grouped by the run id the batch names, or their own run.started.
   * A batch folds at once while it is small. A burst (a long-poll run's 50,000 arrivals in one
   * message) is folded a slice per frame, so no frame spends longer on it than a slice; batches
   * behind a burst wait their turn, so events stay in the order they arrived.
   */
  ingest(runId: string | null, events: readonly TraceEvent[]): RunTrace {
    const run = this.runFor(runId ?? AD_HOC_RUN);
    if (this.backlog.length === 0 && events.length <= this.slice) {
      run.append(events);
      this.changed();
      return run;
    }
    // The first slice now; a frame is already scheduled for a backlog the batch joins.
    const idle = this.backlog.length === 0;
    this.backlog.push({ run, events, from: 0 });
    if (idle) this.drain(this.slice);
    return run;
  }

  /** Events waiting for a later frame's slice (0 once the store has caught up). */
  get pending(): number {
    return this.backlog.reduce((sum, item) => sum + item.events.length - item.from, 0);
  }

  /** Replaces a run's events wholesale (a stored run fetched over HTTP, an imported file): at once, not sliced. */
  replace(runId: string, events: readonly TraceEvent[]): RunTrace {
    this.dropBacklog(runId);
    this.runs.delete(runId);
    const run = this.runFor(runId);
    run.append(events);
    this.changed();
    return run;
  }

  delete(runId: string): void {
    this.dropBacklog(runId);
    this.runs.delete(runId);
    this.changed();
  }

  private runFor(id: string): RunTrace {
    let run = this.runs.get(id);
    if (!run) {
      run = new RunTrace(id);
      this.runs.set(id, run);
    }
    return run;
  }

  /** Folds up to `budget` waiting events, oldest first. */
  private drain(budget: number) {
    while (budget > 0 && this.backlog.length > 0) {
      const item = this.backlog[0]!;
      const to = Math.min(item.events.length, item.from + budget);
      item.run.append(item.events.slice(item.from, to));
      budget -= to - item.from;
      item.from = to;
      if (item.from >= item.events.length) this.backlog.shift();
    }
    this.changed();
  }

  private dropBacklog(runId: string) {
    this.backlog = this.backlog.filter((item) => item.run.runId !== runId);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The published view of every run (useSyncExternalStore's getSnapshot). */
  getSnapshot = (): StoreView => this.published;

  /** The published view of one run; the same object until that run's events change. */
  view(runId: string | undefined): TraceView {
    return (runId === undefined ? undefined : this.published.runs.get(runId)) ?? NO_TRACE;
  }

  /**
   * Publishes what changed since the last publication and tells every listener, once. The
   * scheduler calls it; tests and code that must show a change at once may call it directly.
   */
  publish = (): StoreView => {
    this.scheduled = false;
    // A burst's next slice is folded first, and the frame after takes the one after.
    if (this.backlog.length > 0) this.drain(this.slice);
    if (this.published.version === this.version) return this.published;
    const runs = new Map<string, TraceView & { trace: RunTrace; version: number }>();
    for (const [id, trace] of this.runs) {
      const before = this.published.runs.get(id);
      runs.set(
        id,
        before && before.trace === trace && before.version === trace.version
          ? before
          : { trace, version: trace.version },
      );
    }
    this.published = { version: this.version, runs };
    for (const listener of this.listeners) listener();
    return this.published;
  };

  private changed() {
    this.version += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.publish);
  }
}

/** Splits a JSON-lines trace file into validated-shape events (the server validates for real). */
export function parseTraceLines(text: string): TraceEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as TraceEvent);
}

/**
 * A trace file as the lab stores and imports it: run.started first, run.finished last, the
 * rest in time order. The page keeps events in time order, and a subject's sample can be
 * stamped a moment before the lab stamped run.started, so time order alone is not enough.
 */
export function toTraceLines(events: readonly TraceEvent[]): string {
  const rank = (e: TraceEvent) => (e.type === 'run.started' ? 0 : e.type === 'run.finished' ? 2 : 1);
  const ordered = [...events].sort((a, b) => rank(a) - rank(b)); // stable: time order stays within a rank
  return ordered.map((e) => JSON.stringify(e)).join('\n') + '\n';
}
