/**
 * Listens to the driver's connection-pool (CMAP) events so the trace shows what the driver
 * really did: when an operation got its pool connection and its command went out
 * (`db.sent`, matched to its request id), and how many connections are busy or awaited.
 *
 * Why the pool events and not command monitoring (`commandStarted`, which carries the
 * command's `comment`): command monitoring makes the driver build a started and a succeeded
 * event for every command, deserialize every reply a second time and pass both up its chain
 * of emitters; at the lab's highest throughput that cost ~15 % of the subject's CPU, three
 * times all the rest of tracing (bench/tracing.ts). The pool events are emitted anyway.
 *
 * Pool events carry no comment, so they are matched to operations by order, which the pool
 * keeps: a checkout starts synchronously in the operation's own continuation (server
 * selection has a known server, no I/O in between), and a checkout served from the pool's
 * idle connections is always the oldest one waiting (the pool's processWaitQueue serves its
 * queue's head). The one exception is a checkout the pool opened a new connection for: it
 * leaves the queue when the connection starts opening and is served when that connection
 * is ready, so connections that open in a different order serve their checkouts out of
 * order. Only then is the event's `durationMS` (how long that checkout waited) used to pick
 * it. Matching by durationMS every time failed on a busy machine: our listener reads the
 * clock after the driver does, and a few ms lost between the two made an older checkout's
 * event look like a younger one's (a timing test failed beside a CPU hog, stop 31). Every
 * operation here makes one round trip (runOperation), so one checkout each.
 */
import type {
  ConnectionCheckedOutEvent,
  ConnectionCheckOutFailedEvent,
  ConnectionClosedEvent,
  ConnectionCreatedEvent,
  ConnectionReadyEvent,
  MongoClient,
} from 'mongodb';
import { now } from '../../../common/traceBasics';

export interface MonitorHooks {
  /** An operation carrying this comment (a request id) got its connection and sent its command at time t. */
  sent?(comment: string, t: number): void;
  /** Pool connections checked out (inUse) and checkouts waiting, as deltas. */
  pool?(inUse: number, waitingDelta: number): void;
  /** Whether operations are matched to their checkouts now (tracing can be turned off at run time); always if absent. */
  tracking?(): boolean;
}

interface Checkout {
  /** Undefined for a checkout that is not an operation of ours (the driver's own, say). */
  comment?: string;
  /** The driver's clock for when the checkout started: whole ms of performance.now(). */
  startedMs?: number;
  done: boolean;
}

/** A pool connection's id (the driver types it to allow its monitoring connections' '<monitor>'). */
type ConnectionId = ConnectionCreatedEvent['connectionId'];

/** The driver's checkout clock (mongodb's processTimeMS). */
const driverMs = (): number => Math.floor(performance.now());

class CheckoutTracker {
  /** Operations begun whose checkout has not started yet, oldest first. */
  private readonly starting: Checkout[] = [];
  /** Checkouts started and not yet served, oldest first, as in the pool's wait queue. */
  private readonly waiting: Checkout[] = [];
  /** Connections the pool is opening: created, neither ready nor closed yet. */
  private readonly opening = new Set<ConnectionId>();
  /**
   * A connection that finished opening (ready, or closed while opening) in the synchronous
   * run now under way: a checkout settled in that same run was the one that connection was
   * opened for (the pool serves it from the connection's own callback). Cleared at the next
   * microtask, before the pool's queue is processed again.
   */
  private finished: { id: ConnectionId; ready: boolean } | undefined;

  constructor(private readonly sent: (comment: string, t: number) => void) {}

  begin(comment: string, checkouts: number): Checkout[] {
    const entries: Checkout[] = [];
    for (let i = 0; i < checkouts; i++) entries.push({ comment, done: false });
    for (const entry of entries) this.starting.push(entry);
    return entries;
  }

  end(entries: Checkout[]): void {
    for (const entry of entries) {
      entry.done = true;
      remove(this.starting, entry);
      remove(this.waiting, entry);
    }
  }

  started(): void {
    const entry = this.starting.shift() ?? { done: false };
    entry.startedMs = driverMs();
    this.waiting.push(entry);
  }

  created(id: ConnectionId): void {
    this.opening.add(id);
  }

  /** A connection being opened is ready (ready) or failed to open (not ready); other closes are ignored. */
  opened(id: ConnectionId, ready: boolean): void {
    if (!this.opening.delete(id)) return;
    const finished = { id, ready };
    this.finished = finished;
    queueMicrotask(() => {
      if (this.finished === finished) this.finished = undefined;
    });
  }

  cleared(): void {
    this.opening.clear();
  }

  /**
   * A checkout was served (connectionId) or gave up (undefined). The oldest waiting one,
   * unless it may have been waiting on a connection being opened (see the file's comment).
   */
  settled(durationMS: number, connectionId: ConnectionId | undefined): void {
    const finished = this.finished;
    const openedForIt =
      finished !== undefined && (connectionId === undefined ? !finished.ready : finished.id === connectionId);
    const index = openedForIt || this.opening.size > 0 ? this.startedAt(durationMS) : 0;
    const [entry] = this.waiting.splice(index, 1);
    if (connectionId !== undefined && entry?.comment !== undefined && !entry.done) this.sent(entry.comment, now());
  }

  /** The oldest waiting checkout that started durationMS ago (±1 ms for a tick between clocks), else the oldest. */
  private startedAt(durationMS: number): number {
    const startedMs = driverMs() - durationMS;
    return Math.max(
      0,
      this.waiting.findIndex((entry) => Math.abs((entry.startedMs ?? 0) - startedMs) <= 1),
    );
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}

const trackers = new WeakMap<MongoClient, { tracker: CheckoutTracker; tracking: () => boolean }>();

/**
 * Runs one operation of `client` (its driver calls inside `run`), so that its checkouts are
 * matched to `comment`. `checkouts` is how many connections the operation asks the pool for.
 */
export async function trackOperation<T>(
  client: MongoClient,
  comment: string,
  checkouts: number,
  run: () => Promise<T>,
): Promise<T> {
  const { tracker, tracking } = trackers.get(client) ?? {};
  if (!tracker || !tracking?.()) return run();
  const entries = tracker.begin(comment, checkouts);
  try {
    return await run();
  } finally {
    tracker.end(entries);
  }
}

export function monitorClient(client: MongoClient, hooks: MonitorHooks): void {
  const { sent, pool, tracking = () => true } = hooks;
  const tracker = sent ? new CheckoutTracker(sent) : undefined;
  if (tracker) trackers.set(client, { tracker, tracking });
  client.on('connectionCheckOutStarted', () => {
    tracker?.started();
    pool?.(0, 1);
  });
  client.on('connectionCheckedOut', (event: ConnectionCheckedOutEvent) => {
    pool?.(1, -1);
    tracker?.settled(event.durationMS, event.connectionId);
  });
  client.on('connectionCheckOutFailed', (event: ConnectionCheckOutFailedEvent) => {
    pool?.(0, -1);
    tracker?.settled(event.durationMS, undefined);
  });
  if (tracker) {
    client.on('connectionCreated', (event: ConnectionCreatedEvent) => tracker.created(event.connectionId));
    client.on('connectionReady', (event: ConnectionReadyEvent) => tracker.opened(event.connectionId, true));
    client.on('connectionClosed', (event: ConnectionClosedEvent) => tracker.opened(event.connectionId, false));
    // A connection still opening when the pool is cleared is dropped with no event of its own.
    client.on('connectionPoolCleared', () => tracker.cleared());
  }
  if (pool) client.on('connectionCheckedIn', () => pool(-1, 0));
}
