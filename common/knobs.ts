/**
 * The knobs' plain values (modes, bounds, defaults, routes), without zod, so the browser
 * bundle can import them cheaply. The schemas that enforce them are in config.ts.
 */
import type { LabConfig } from './config';

export const MODES = ['blocking', 'nonblocking'] as const;
export type Mode = (typeof MODES)[number];

/** Which server under study runs: the Node subject, or the Tornado (Python) one. */
export const RUNTIMES = ['node', 'tornado'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** Bounds live in one table so the API's 400 messages, the UI's sliders and the docs agree. */
export const CONFIG_BOUNDS = {
  dbLatencyMs: { min: 0, max: 2000 },
  poolSize: { min: 1, max: 200 },
  cpuMs: { min: 0, max: 200 },
  workers: { min: 1, max: 8 },
  executorThreads: { min: 0, max: 16 },
  blockingTimeoutMs: { min: 100, max: 30_000 },
} as const;

/** Knobs whose change restarts the subject (its runtime, pools, threads or processes depend on them); the rest apply in place. */
export const RESTART_KNOBS = ['runtime', 'poolSize', 'workers', 'executorThreads', 'tracing'] as const;

export const DEFAULT_CONFIG: LabConfig = {
  runtime: 'node',
  mode: 'nonblocking',
  dbLatencyMs: 100,
  poolSize: 10,
  cpuMs: 0,
  workers: 1,
  executorThreads: 0,
  blockingTimeoutMs: 5000,
  tracing: true,
};

/** The routes the load generator may target. It only ever targets the subject: no URL parameter. */
export const ROUTES = ['getUser', 'getUserCallback', 'listByCity', 'stats', 'createUser'] as const;
export type RouteName = (typeof ROUTES)[number];

/**
 * The long-poll route (GET /updates): it waits for the next new user, so a closed or open
 * loop of it would only measure its timeout. It has a run kind of its own instead.
 */
export const LONG_POLL_ROUTE = 'longPoll';
/** Every route the subject serves: the load routes and the long poll. */
export type SubjectRouteName = RouteName | typeof LONG_POLL_ROUTE;

export const LONG_POLL_BOUNDS = {
  /** Long-polls held open at once (one connection each): the C10K figure. */
  concurrency: { min: 1, max: 10_000 },
  /** How long the run waits for every long-poll to be waiting before it publishes, ms. */
  holdMs: { min: 0, max: 60_000 },
  /** GET /updates?timeoutMs=: how long one long-poll waits before answering 204, ms. */
  timeoutMs: { min: 1, max: 120_000 },
} as const;
export const LONG_POLL_DEFAULTS = { holdMs: 5000, timeoutMs: 30_000 } as const;

export const RUN_BOUNDS = {
  requests: { min: 1, max: 100_000 },
  concurrency: { min: 1, max: 2000 },
  ratePerSec: { min: 1, max: 20_000 },
  durationSec: { min: 1, max: 120 },
} as const;

/**
 * Open loop: at most this many requests in flight. An arrival due while that many are
 * still waiting is not sent and is counted as "not sent: generator saturated" (k6's
 * dropped iterations), so a rate far above the subject's capacity cannot queue without end.
 */
export const OPEN_LOOP_MAX_IN_FLIGHT = 1000;

/**
 * Every request the load generator sends is abandoned (recorded as an error) after this
 * long, waiting included: a run ends at most this long after its last send. Longer than
 * the slowest answer a subject gives on purpose (blockingTimeoutMs ≤ 30 s, then a 503).
 */
export const REQUEST_DEADLINE_MS = 35_000;

/**
 * A run's trace holds every event of at most this many requests (~40 MB, under the
 * import limit). A run planned for more (an open loop of ratePerSec × durationSec) traces
 * one request in `traceEveryOf(plan)`; the others are counted, not traced.
 */
export const RUN_TRACE_REQUESTS = 100_000;

/** 1 when every request of a run is traced, else n: request i is traced when i % n === 0. */
export function traceEveryOf(plan: { requests?: number } | { ratePerSec: number; durationSec: number }): number {
  const planned = 'ratePerSec' in plan ? plan.ratePerSec * plan.durationSec : (plan.requests ?? 0);
  return Math.max(1, Math.ceil(planned / RUN_TRACE_REQUESTS));
}

/** Whether the load generator's request `rid` (`<runId>-<index>`) of a run traced one in `every` is traced. */
export function isTracedRid(rid: string, runId: string, every: number): boolean {
  if (every <= 1 || !rid.startsWith(`${runId}-`)) return true;
  const index = Number(rid.slice(runId.length + 1));
  return !Number.isInteger(index) || index % every === 0;
}
