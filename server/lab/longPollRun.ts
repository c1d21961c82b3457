/**
 * A long-poll run, seen from the lab: open every long-poll, wait until the subject holds
 * them all (its samples count them) or `holdMs` passes, and longer while they are still
 * arriving, publish one new user, and end when every long-poll has its answer.
 *
 * The publish goes through the subject (POST /users) in non-blocking mode, where that is
 * what wakes the waiters. In blocking mode the subject's loop (or every executor thread) is
 * held by a waiter, so a POST would wait behind them until they time out; the new user is
 * written straight into MongoDB instead, as another application server would, and the
 * waiters' polls find it.
 */
import type { Collection, ObjectId } from 'mongodb';
import { type LabConfig, LONG_POLL_BOUNDS, LONG_POLL_DEFAULTS, type LongPollRun, type Mode } from '../../common/config';
import { PUBLISH_RID_SUFFIX } from '../../common/longPollSummary';
import { HEADER_RID, HEADER_RUN, now, type TraceEvent } from '../../common/trace';
import type { LoadHandle, LoadOptions, LoadResult } from '../load/generator';

export interface LongPollRunDeps {
  runId: string;
  plan: LongPollRun;
  mode: Mode;
  subjectUrl: string;
  /** The lab's own handle on the seeded users collection. */
  users: Collection;
  startLoad(options: Pick<LoadOptions, 'longPoll' | 'requestTimeoutMs'>): LoadHandle;
  /** Records events into the run (the publish's client side and run.published). */
  record(events: TraceEvent[]): void;
  cancelled(): boolean;
}

/** What the subject's samples have said so far during the run. */
export interface SampleWatch {
  observe(events: readonly TraceEvent[]): void;
  /** Long-polls held according to the latest sample. */
  waiting(): number;
  /** Time of the latest sample (0 before any). */
  lastSampleAt(): number;
}

export function createSampleWatch(): SampleWatch {
  let waiting = 0;
  let last = 0;
  return {
    observe(events) {
      for (const e of events) {
        if (e.type !== 'sample' || e.t < last) continue;
        last = e.t;
        waiting = e.longPollsWaiting ?? 0;
      }
    },
    waiting: () => waiting,
    lastSampleAt: () => last,
  };
}

/** How much longer than the hold a long-poll may wait for its answer (the publish and its fan-out), ms. */
const ANSWER_MARGIN_MS = 60_000;

export async function runLongPoll(deps: LongPollRunDeps, watch: SampleWatch): Promise<LoadResult> {
  const holdMs = deps.plan.holdMs ?? LONG_POLL_DEFAULTS.holdMs;
  const after = await newestUserId(deps.users);
  // The idle figure: a sample taken before any long-poll is open.
  const idleFrom = now();
  await until(() => watch.lastSampleAt() > idleFrom || deps.cancelled(), 1000);

  const timeoutMs = Math.min(LONG_POLL_BOUNDS.timeoutMs.max, holdMs + ANSWER_MARGIN_MS);
  const load = deps.startLoad({
    // Blocking mode answers one waiter at a time: the last may wait as long as the whole
    // queue takes on this machine, so the client gives up only on a subject that stopped.
    longPoll: { after, timeoutMs, connections: deps.plan.concurrency, stallMs: timeoutMs + ANSWER_MARGIN_MS },
    requestTimeoutMs: timeoutMs + ANSWER_MARGIN_MS,
  });
  let finished = false;
  void load.result.finally(() => (finished = true)).catch(() => undefined);

  const holdStart = now();
  const allWaiting = () => watch.waiting() >= deps.plan.concurrency;
  await until(() => allWaiting() || finished || deps.cancelled(), holdMs);
  // A slow machine opens thousands of connections more slowly than a hold lasts (10,000 took
  // up to 10 s on two busy cores): while waiters are still arriving (or none has yet), hold
  // on, a second at a time, up to the longest hold. Published early, the late ones each made
  // their own database read and a lesson's run took 30 s, where one publish should answer all.
  // Non-blocking only: a blocking subject holds one waiter (or one per executor thread) at
  // most, and its loop, held by a waiter, sends no samples to count them by.
  let seen = watch.waiting();
  while (
    deps.mode === 'nonblocking' &&
    !allWaiting() &&
    !finished &&
    !deps.cancelled() &&
    now() - holdStart < LONG_POLL_BOUNDS.holdMs.max
  ) {
    await until(() => allWaiting() || finished || deps.cancelled(), 1000);
    if (seen > 0 && watch.waiting() <= seen) break;
    seen = watch.waiting();
  }
  if (allWaiting()) {
    // One more sample with everyone held, so the memory figure is taken at the peak.
    const at = now();
    await until(() => watch.lastSampleAt() > at || deps.cancelled(), 1000);
  }
  if (!finished && !deps.cancelled()) await publish(deps, watch.waiting(), holdStart);
  return load.result;
}

async function publish(deps: LongPollRunDeps, waiting: number, holdStart: number): Promise<void> {
  const via = deps.mode === 'nonblocking' ? 'subject' : 'database';
  deps.record([{ type: 'run.published', t: now(), runId: deps.runId, via, waiting }]);
  const user = {
    username: `news-${deps.runId}`.toLowerCase(),
    first_name: 'News',
    last_name: `held ${Math.round(now() - holdStart)} ms`,
  };
  if (via === 'database') {
    await deps.users.insertOne({ ...user, created_at: new Date() });
    return;
  }
  // Loaded on first use, before the clock starts: undici is a large library the lab's start need not read.
  // Its CommonJS exports are read from `default`, the one form all three loaders give: Node's
  // own import, tsx, and the lab's esbuild bundle (npm start), whose chunk for undici exports
  // `default` alone, so `{ request }` was undefined there and every live long-poll run failed.
  const { request } = (await import('undici')).default;
  const rid = `${deps.runId}${PUBLISH_RID_SUFFIX}`;
  deps.record([{ type: 'client.sent', t: now(), rid, route: 'createUser' }]);
  let status = 0;
  let error: string | undefined;
  try {
    const res = await request(`${deps.subjectUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [HEADER_RID]: rid, [HEADER_RUN]: deps.runId },
      body: JSON.stringify(user),
    });
    deps.record([{ type: 'client.firstByte', t: now(), rid }]);
    status = res.statusCode;
    await res.body.dump();
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  deps.record([
    error ? { type: 'client.done', t: now(), rid, status, error } : { type: 'client.done', t: now(), rid, status },
  ]);
  if (error || status !== 201) throw new Error(`the publish (POST /users) failed: ${error ?? `status ${status}`}`);
}

/** The cursor: the newest user's id now (ObjectIds grow with time), or the smallest id. */
async function newestUserId(users: Collection): Promise<string> {
  const [doc] = await users
    .find({}, { projection: { _id: 1 } })
    .sort({ _id: -1 })
    .limit(1)
    .toArray();
  const id = doc?._id as ObjectId | undefined;
  return typeof id?.toHexString === 'function' ? id.toHexString() : '0'.repeat(24);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!condition() && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Why this lab cannot hold a long-poll run now (a 409 message), or undefined if it can. */
export function longPollRefusal(
  plan: LongPollRun,
  config: LabConfig,
  openFiles: string | undefined,
): string | undefined {
  if (config.workers !== 1) {
    return `long-poll runs need workers: 1 (now ${config.workers}): a publish reaches one subject process, and only its own waiters would hear it`;
  }
  if (!config.tracing) return "long-poll runs count the held long-polls from the subject's samples: turn tracing on";
  if (openFiles) return openFiles;
  if (plan.requests !== undefined && plan.requests !== plan.concurrency) return 'requests must equal concurrency';
  return undefined;
}
