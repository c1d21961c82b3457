/** IPC messages between the supervisor and a subject process (and a balancer and its workers). */
import type { LabConfig } from '../../common/config';
import type { LiveSettings } from './app';
import type { TraceBatch } from './runtime/traceBatch';

/** What a subject process is started with (JSON in the LAB_SUBJECT environment variable). */
export interface SubjectSpec {
  config: LabConfig;
  /** The database as seen through the latency proxy. */
  uri: string;
  dbName: string;
  /**
   * Edited handlers: file (`getUser.nonblocking.ts`) → compiled module in the lab's data dir;
   * for the Tornado subject, file (`get_user_nonblocking.py`) → the edited source there.
   */
  handlers?: Record<string, string>;
  /** Send a heartbeat this often, so the supervisor notices a loop held by an edited handler. */
  heartbeatMs?: number;
  /** How long an edited handler has to answer before its request gets a 504 (guard.ts's EDITED_DEADLINE_MS if unset). */
  editedDeadlineMs?: number;
}

/**
 * `configure` changes the live settings (mode included) at once; the subject answers `configured` when they apply.
 * `tracing` turns tracing on or off in the running process, answered by `tracing`: bench/tracing.ts
 * compares both sides in one warm process this way, windows of one steady load (the lab restarts
 * the subject instead). Only a process started with tracing on reports db.sent once turned on again.
 */
export type SubjectCommand =
  { type: 'warm' } | ({ type: 'configure' } & LiveSettings) | { type: 'tracing'; enabled: boolean };

export type SubjectReport =
  | { type: 'ready'; port: number }
  /** Trace events in their compact wire form (runtime/traceBatch.ts); the supervisor unpacks them. */
  | { type: 'events'; events: TraceBatch }
  | { type: 'database'; up: boolean; message?: string }
  | { type: 'warmed'; ok: boolean; message?: string }
  | { type: 'configured'; ok: boolean; message?: string }
  /** Tracing's state now, with the requests received and the CPU (user + system, µs) the process used so far. */
  | { type: 'tracing'; enabled: boolean; requests: number; cpuMicros: number }
  | { type: 'fatal'; message: string }
  /** The loop is turning (sent from a timer, so a held loop sends none). */
  | { type: 'heartbeat'; worker: number };

export const SPEC_ENV = 'LAB_SUBJECT';
export const WORKER_ENV = 'LAB_SUBJECT_WORKER';
/** Where a compiled subject finds its compiled database thread (bundle.ts). */
export const THREAD_ENTRY_ENV = 'LAB_SUBJECT_THREAD_ENTRY';
