/**
 * How the lab drives the server under study. Implemented by `supervisor.ts`; the lab
 * server (server/lab) only talks to the subject through this interface and over HTTP.
 */
import type { LabConfig } from '../../common/config';
import type { TraceEvent } from '../../common/trace';

export type SubjectState = 'starting' | 'ready' | 'restarting' | 'down';

export interface SubjectSupervisorOptions {
  /** The database the subject talks to (through the latency proxy). */
  mongoUri: string;
  /** Database name holding the seeded `users` collection. */
  dbName: string;
  /** Called with each batch of trace events shipped by any subject process. */
  onEvents: (events: TraceEvent[]) => void;
  /** Called whenever the state changes (a crash, a restart, a dead database). */
  onState?: (state: SubjectState, message?: string) => void;
  /**
   * Limits for edited handlers, other than the defaults only in tests that wait them out: how
   * long a request may go unanswered before its 504 (guard.ts), and how long a subject's loop
   * may be held before the watchdog restarts it (watchdog.ts).
   */
  editedLimits?: { deadlineMs?: number; watchdogMs?: number };
}

export interface SubjectSupervisor {
  /** Starts the latency proxy and the subject process(es) with this config; resolves when they accept requests. */
  start(config: LabConfig): Promise<void>;
  /**
   * Applies a new config. Restarts what must restart (the subject for mode, pool, workers,
   * executor threads; only the proxy's delay for dbLatencyMs) and resolves when ready again.
   */
  apply(config: LabConfig): Promise<void>;
  /**
   * Serves edited handlers (file → compiled module path; `{}` for the originals). Restarts a
   * running subject and resolves once the new versions serve requests; rejects if they fail to load.
   */
  setHandlers?(handlers: Record<string, string>): Promise<void>;
  /** Opens pool connections up to poolSize in every subject process, so a run measures the pool, not the ramp. */
  warm(): Promise<void>;
  /** Base URL of the subject (or its balancer), e.g. http://127.0.0.1:41234. Throws if not started. */
  url(): string;
  state(): SubjectState;
  /** Stops every process it started. Idempotent. */
  stop(): Promise<void>;
}
