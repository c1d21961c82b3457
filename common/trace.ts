/**
 * The trace: the one contract between the server and the UI.
 *
 * A flat list of timestamped events. Every timestamp `t` is epoch milliseconds with
 * sub-millisecond precision, taken as `performance.timeOrigin + performance.now()`
 * (see `now()` below), so events from different processes on one machine compare.
 *
 * A request is identified by `rid` (assigned by whoever sends it: the load generator,
 * or the lab for a request forwarded through `/subject/*`) and travels to the subject
 * in the `x-lab-rid` header, with the run id in `x-lab-run` and an optional client
 * tag (a student's nickname) in `x-lab-client`.
 *
 * Bump TRACE_VERSION on any incompatible change (a new event type included: an older reader
 * refuses it); stored runs carry the version they were recorded with, and the validator reads
 * OLDEST_TRACE_VERSION to TRACE_VERSION and refuses newer ones.
 */
import { z } from 'zod';
import { labConfigSchema } from './config';
import { OLDEST_TRACE_VERSION, TRACE_VERSION } from './traceBasics';

// Plain values and helpers live in traceBasics.ts so the page can use them without bundling zod.
export * from './traceBasics';

const t = z.number().finite().nonnegative();
const rid = z.string().min(1).max(64);
/** Which subject process (0-based) produced an event; several when `workers` > 1. */
const worker = z.number().int().min(0).max(63);

const at = { t };
const READABLE_VERSIONS = `this lab reads trace versions ${OLDEST_TRACE_VERSION} to ${TRACE_VERSION}`;
const req = { t, rid };
const inSubject = { t, rid, worker };

export const traceEventSchema = z.discriminatedUnion('type', [
  // --- run lifecycle (written by the lab) ---
  z.object({
    type: z.literal('run.started'),
    ...at,
    runId: z.string(),
    version: z
      .number()
      .int()
      .min(OLDEST_TRACE_VERSION, { error: READABLE_VERSIONS })
      .max(TRACE_VERSION, { error: READABLE_VERSIONS }),
    config: labConfigSchema,
    /** What the load generator was asked to do, e.g. { requests: 10, concurrency: 10, route: 'getUser' }. */
    plan: z.record(z.string(), z.union([z.string(), z.number()])),
    /** The database driver that served it, in words (e.g. "Motor 2.3.0 (pymongo on a thread pool)"); absent in older traces. */
    driver: z.string().max(200).optional(),
    /** The handler versions that served the run: every file's hash, and the source of edited ones. */
    handlers: z
      .array(
        z
          .object({
            file: z.string().max(64),
            hash: z.string().regex(/^[0-9a-f]{16}$/),
            source: z
              .string()
              .max(64 * 1024)
              .optional(),
          })
          .strict(),
      )
      .max(32)
      .optional(),
  }),
  z.object({
    type: z.literal('run.finished'),
    ...at,
    runId: z.string(),
    status: z.enum(['done', 'failed', 'cancelled']),
    message: z.string().optional(),
  }),

  // --- client side (load generator, or the lab's /subject/* forwarder) ---
  z.object({
    type: z.literal('client.sent'),
    ...req,
    route: z.string(),
    /** Open loop: when the request was due. Latency is measured from here (no coordinated omission). */
    scheduledAt: t.optional(),
    client: z.string().max(64).optional(),
  }),
  z.object({ type: z.literal('client.firstByte'), ...req }),
  /**
   * The load generator's requests that have no events of their own, counted since its
   * previous load.counts: open-loop arrivals not sent because the generator was saturated
   * (OPEN_LOOP_MAX_IN_FLIGHT in flight), and requests sent but not traced (a sampled trace).
   */
  z.object({
    type: z.literal('load.counts'),
    ...at,
    notSent: z.number().int().nonnegative(),
    untracedCompleted: z.number().int().nonnegative(),
    untracedErrors: z.number().int().nonnegative(),
  }),
  z.object({
    type: z.literal('client.done'),
    ...req,
    status: z.number().int(),
    /** Set when the request failed below HTTP (connection refused, reset, timeout). */
    error: z.string().optional(),
  }),

  // --- subject side ---
  /** The subject's loop picked the request up (its request handler began). */
  z.object({
    type: z.literal('subject.accepted'),
    ...inSubject,
    route: z.string(),
    mode: z.enum(['blocking', 'nonblocking']),
  }),
  /** The handler reached a step marker: `step('query')` in the handler's source. */
  z.object({ type: z.literal('handler.step'), ...inSubject, handler: z.string(), step: z.string() }),
  /** The handler asked the driver for something. */
  z.object({ type: z.literal('db.call'), ...inSubject, op: z.string(), collection: z.string() }),
  /** No pool connection was free: the call waits for one (ends at db.sent). */
  z.object({ type: z.literal('pool.wait'), ...inSubject }),
  /** The pool handed the call its connection; the command is written now (from the pool's checkout event). */
  z.object({ type: z.literal('db.sent'), ...inSubject }),
  /** The reply came back to the handler. */
  z.object({ type: z.literal('db.reply'), ...inSubject, ok: z.boolean(), error: z.string().optional() }),
  /** The loop could do nothing else between t and t + durationMs (a synchronous call or CPU work). */
  z.object({
    type: z.literal('loop.blocked'),
    ...inSubject,
    durationMs: z.number().nonnegative(),
    reason: z.enum(['db', 'cpu']),
  }),
  z.object({ type: z.literal('subject.responded'), ...inSubject, status: z.number().int() }),

  // --- periodic samples (per subject process: every <= 50 ms while it serves a request, <= 250 ms while idle) ---
  z.object({
    type: z.literal('sample'),
    ...at,
    worker,
    /** Largest event-loop delay seen since the previous sample, ms. */
    loopDelayMaxMs: z.number().nonnegative(),
    /** Event-loop utilization since the previous sample, 0..1. */
    elu: z.number().min(0).max(1),
    poolInUse: z.number().int().nonnegative(),
    poolWaiting: z.number().int().nonnegative(),
    dbInFlight: z.number().int().nonnegative(),
    /** Long-polls (GET /updates) held at once, at most, since the previous sample. */
    longPollsWaiting: z.number().int().nonnegative().optional(),
    rssBytes: z.number().nonnegative(),
    heapUsedBytes: z.number().nonnegative(),
  }),

  // --- long-poll runs (written by the lab) ---
  /**
   * The lab published the one new user that answers every waiting long-poll: through the
   * subject (POST /users), or straight into the database when the subject's loop or threads
   * are all held by waiters and a POST would wait behind them. `waiting`: held at that moment.
   */
  z.object({
    type: z.literal('run.published'),
    ...at,
    runId: z.string(),
    via: z.enum(['subject', 'database']),
    waiting: z.number().int().nonnegative(),
  }),
]);

export type TraceEvent = z.infer<typeof traceEventSchema>;
export type TraceEventType = TraceEvent['type'];
export type TraceEventOf<K extends TraceEventType> = Extract<TraceEvent, { type: K }>;
/** Events that belong to one request. */
export type RequestEvent = Extract<TraceEvent, { rid: string }>;

/** Validates one untrusted event (an imported file, a batch from another process). */
export function parseTraceEvent(value: unknown): { ok: true; event: TraceEvent } | { ok: false; message: string } {
  const result = traceEventSchema.safeParse(value);
  if (result.success) return { ok: true, event: result.data };
  const first = result.error.issues[0];
  return { ok: false, message: first ? `${first.path.join('.') || 'event'}: ${first.message}` : 'invalid event' };
}
