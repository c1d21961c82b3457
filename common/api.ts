/**
 * Shapes of the lab's JSON API and WebSocket messages, shared by the server and the UI.
 */
import type { LabConfig, RunRequest } from './config';
import type { TraceEvent } from './trace';

export type DatabaseKind = 'external' | 'memory-server' | 'embedded';

export interface DatabaseInfo {
  kind: DatabaseKind;
  version: string;
  /** Why this database was chosen, e.g. "offline: no mongod binary and no download". */
  reason: string;
}

/** Whether the Tornado subject can run here, as found at start (server/subject-tornado/python.ts). */
export type TornadoRuntimeInfo =
  | {
      available: true;
      /** The interpreter used. */
      python: string;
      tornado: string;
      pymongo: string;
      motor?: string;
      /** What non-blocking mode awaits, e.g. "Motor 2.3.0 (pymongo on a thread pool)". */
      asyncDriver: string;
    }
  | { available: false; reason: string; install: string };

/** GET /api/health */
export interface HealthResponse {
  status: 'ok' | 'degraded';
  /**
   * `message` says what happened to it last (e.g. its process died and was restarted);
   * `restarting` while the lab starts (and re-seeds) a database whose process died;
   * `nextRetryAt` (ISO time) while an external database does not answer.
   */
  database: DatabaseInfo & { up: boolean; message?: string; restarting?: boolean; nextRetryAt?: string };
  config: LabConfig;
  /** `message` says why the subject is down or restarting (e.g. the database stopped answering). */
  subject: { state: 'starting' | 'ready' | 'restarting' | 'down'; url?: string; message?: string };
  /** Whether new runs can be saved to the data dir (`message` names the failing file and why). */
  runs?: { canSave: boolean; message?: string };
  /** The runtimes the subject can run in (Node always can). */
  runtimes?: { tornado: TornadoRuntimeInfo };
}

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** GET /api/runs/:id (and each item of GET /api/runs). */
export interface RunSummary {
  id: string;
  status: RunStatus;
  config: LabConfig;
  plan: RunRequest;
  startedAt: number;
  completed: number;
  errors: number;
  durationMs: number;
  throughputPerSec: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  loop: { delayMaxMs: number; utilization: number };
  /** Open-loop runs: arrivals not sent because the generator already had its maximum in flight (generator saturated). */
  notSent?: number;
  /** Set when the trace holds one request in this many (a run planned beyond RUN_TRACE_REQUESTS); the counts include every request. */
  tracedOneIn?: number;
  /** Long-poll runs: the most long-polls the subject held at once (counted by the subject). */
  peakConcurrent?: number;
  /** Long-poll runs: the subject's memory idle and with every long-poll held; the difference per held one. */
  subjectMemory?: { idleRssBytes: number; peakRssBytes: number; perConnectionBytes: number };
  /**
   * Long-poll runs: the largest event-loop delay while the long-polls waited, ms: from when the
   * subject held the most of them until the publish (a loop a blocking waiter holds reports it
   * after the publish).
   */
  waitingLoopDelayMs?: number;
  /** Long-poll runs: the largest event-loop delay while the long-polls arrived (taking them in is work), ms. */
  arrivalLoopDelayMs?: number;
  /** Long-poll runs: from the publish to the last long-poll's answer, ms. */
  publishToLastAnswerMs?: number;
  /** Set when the run was imported from a file rather than recorded here. */
  imported?: boolean;
  /** Why a run failed or was cancelled (from its run.finished line). */
  message?: string;
}

/** Messages on the WebSocket /api/live, server to browser. */
export type LiveMessage =
  | { type: 'hello'; health: HealthResponse }
  | { type: 'status'; health: HealthResponse }
  | { type: 'config'; config: LabConfig }
  | { type: 'run'; run: RunSummary }
  | { type: 'trace'; runId: string | null; events: TraceEvent[] }
  /**
   * Back-pressure: sent once when the server starts skipping trace batches for this
   * socket (skipped: 0), and again with `resumed: true` and the count it skipped once the
   * socket has drained. The stored run (GET /api/runs/:id/trace) has every event.
   */
  | { type: 'lagging'; skipped: number; resumed?: boolean }
  | { type: 'error'; message: string };

/** Messages on the WebSocket /api/live, browser to server. */
export type LiveClientMessage = { type: 'ping' } | { type: 'resume' };

/** One answered request of a classroom student, as the student's phone shows it. */
export interface StudentResult {
  status: number;
  latencyMs: number;
}

/** What a student (or the presenter's board) may see of a student: no key, no rate bucket. */
export interface StudentView {
  id: string;
  nickname: string;
  sent: number;
  answered: number;
  limited: number;
  inFlight: number;
  maxLatencyMs: number;
  recent: StudentResult[];
}

/** What the presenter sees of a seat (GET /api/classroom/students): where it came from too. */
export interface StudentSeat extends StudentView {
  /** The client address that took the seat. */
  address: string;
  /** When, epoch ms. */
  joinedAt: number;
  /** Whether the phone came back after joining (a seat never heard from is freed within a minute). */
  heard: boolean;
}
