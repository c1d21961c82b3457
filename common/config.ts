/**
 * The lab's knobs: one validated config object shared by the server and the UI.
 * Every number a client can set has a bound (see DESIGN.md, "What bad input gets").
 */
import { z } from 'zod';
import { CONFIG_BOUNDS, LONG_POLL_BOUNDS, LONG_POLL_ROUTE, MODES, ROUTES, RUN_BOUNDS, RUNTIMES } from './knobs';

// The plain values live in knobs.ts so the page can use them without bundling zod.
export * from './knobs';

/** A whole number within [min, max], with a message that names the field and its bounds. */
function wholeNumber(name: string, { min, max }: { min: number; max: number }) {
  return z
    .number({ error: `${name} must be a number from ${min} to ${max}` })
    .int({ error: `${name} must be a whole number from ${min} to ${max}` })
    .min(min, { error: `${name} must be between ${min} and ${max}` })
    .max(max, { error: `${name} must be between ${min} and ${max}` });
}

const bounded = (name: keyof typeof CONFIG_BOUNDS) => wholeNumber(name, CONFIG_BOUNDS[name]);
const runNumber = (name: keyof typeof RUN_BOUNDS) => wholeNumber(name, RUN_BOUNDS[name]);

const runtime = z.enum(RUNTIMES, { error: `runtime must be one of: ${RUNTIMES.join(', ')}` });

export const labConfigSchema = z
  .object({
    /**
     * Which subject runs: Node (server/subject) or Tornado (server/subject-tornado). Runs
     * recorded before the knob existed were all Node, hence the default.
     */
    runtime: runtime.default('node'),
    /** How the subject's handlers reach MongoDB: a synchronous facade or the driver's async API. */
    mode: z.enum(MODES, { error: `mode must be one of: ${MODES.join(', ')}` }),
    /** Added by the TCP latency proxy to every database round trip (half each way). */
    dbLatencyMs: bounded('dbLatencyMs'),
    /** The driver's maxPoolSize (maxConnecting is raised to match). */
    poolSize: bounded('poolSize'),
    /** Synchronous CPU work in each handler, in ms: what async does not fix. */
    cpuMs: bounded('cpuMs'),
    /** Subject processes behind a round-robin balancer (FriendFeed's answer). */
    workers: bounded('workers'),
    /** Blocking mode only: database calls handed to this many threads (0 = call on the loop). */
    executorThreads: bounded('executorThreads'),
    /** Blocking mode: how long the synchronous facade waits before answering 503. */
    blockingTimeoutMs: bounded('blockingTimeoutMs'),
    /** Whether the subject records trace events (off only for the tracing-cost benchmark). */
    tracing: z.boolean({ error: 'tracing must be true or false' }),
  })
  .strict();

export type LabConfig = z.infer<typeof labConfigSchema>;

/** A partial update, as sent by `PUT /api/config`. Unknown fields are refused. */
export const labConfigPatchSchema = labConfigSchema.extend({ runtime: runtime.optional() }).partial().strict();
export type LabConfigPatch = z.infer<typeof labConfigPatchSchema>;

const route = z.enum(ROUTES, { error: `route must be one of: ${ROUTES.join(', ')}` });

/** Closed loop: `requests` in total, `concurrency` in flight at a time. */
export const closedRunSchema = z
  .object({ requests: runNumber('requests'), concurrency: runNumber('concurrency'), route: route.optional() })
  .strict();
/** Open loop: `ratePerSec` arrivals for `durationSec`; latency counts from the scheduled send time. */
export const openRunSchema = z
  .object({ ratePerSec: runNumber('ratePerSec'), durationSec: runNumber('durationSec'), route: route.optional() })
  .strict();
/**
 * Long poll: `concurrency` long-polls held open at once (up to 10,000), one new user
 * published once they all wait (or after `holdMs`), done when every one is answered.
 */
export const longPollRunSchema = z
  .object({
    route: z.literal(LONG_POLL_ROUTE),
    concurrency: wholeNumber('concurrency', LONG_POLL_BOUNDS.concurrency),
    requests: wholeNumber('requests', LONG_POLL_BOUNDS.concurrency).optional(),
    holdMs: wholeNumber('holdMs', LONG_POLL_BOUNDS.holdMs).optional(),
  })
  .strict()
  .refine((plan) => plan.requests === undefined || plan.requests === plan.concurrency, {
    error: 'a long-poll run holds one long-poll per connection: requests must equal concurrency',
    path: ['requests'],
  });
export type LongPollRun = z.infer<typeof longPollRunSchema>;

/** A lesson's long-poll experiment names `requests` too (= concurrency), so a step always says how many answers to expect. */
export const lessonLongPollRunSchema = z
  .object({
    route: z.literal(LONG_POLL_ROUTE),
    requests: wholeNumber('requests', LONG_POLL_BOUNDS.concurrency),
    concurrency: wholeNumber('concurrency', LONG_POLL_BOUNDS.concurrency),
    holdMs: wholeNumber('holdMs', LONG_POLL_BOUNDS.holdMs).optional(),
  })
  .strict()
  .refine((plan) => plan.requests === plan.concurrency, {
    error: 'requests must equal concurrency',
    path: ['requests'],
  });

export const runRequestSchema = z.union([closedRunSchema, openRunSchema, longPollRunSchema], {
  error:
    'a run is { requests, concurrency, route? }, { ratePerSec, durationSec, route? } or { route: "longPoll", concurrency, holdMs? }',
});

/** Whether an untrusted run body asks for a long-poll run (then only its schema applies, with its messages). */
export function asksForLongPoll(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { route?: unknown }).route === LONG_POLL_ROUTE;
}

export function isLongPollRun(plan: RunRequest): plan is LongPollRun {
  return 'route' in plan && plan.route === LONG_POLL_ROUTE;
}
export type RunRequest = z.infer<typeof runRequestSchema>;

/** Turns a zod error into one readable sentence for a 400 body. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      return path && !issue.message.startsWith(path) ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
