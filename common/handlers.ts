/** The handlers API's shapes (GET/PUT/DELETE /api/handlers) and what a trace records of them. */
import type { Runtime } from './knobs';

/** A handler file as the API lists it. */
export interface HandlerFile {
  /** As named in server/subject/handlers (e.g. `getUser.nonblocking.ts`) or server/subject-tornado/handlers (`get_user_nonblocking.py`). */
  file: string;
  runtime: Runtime;
  /** The source the subject serves now: the edited one, or the project's. */
  source: string;
  edited: boolean;
  /** The first 16 hex digits of the source's SHA-256. */
  hash: string;
}

/** Which version of a handler served a run: its hash, and the source when it was edited. */
export interface HandlerVersion {
  file: string;
  hash: string;
  source?: string;
}

/** A PUT whose source does not compile: the running version is unchanged. */
export interface HandlerCompileError {
  error: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/**
 * The handler file (e.g. `getUser.nonblocking.ts`) for a handler name as the trace uses it
 * (`getUser.nonblocking`); a Tornado handler's name is its file (`get_user_nonblocking.py`).
 */
export const handlerFileOf = (handler: string): string => (handler.endsWith('.py') ? handler : `${handler}.ts`);

/** A syntax or type error of an edited handler, from POST /api/handlers/:file/check. */
export interface HandlerProblem {
  kind: 'syntax' | 'type';
  message: string;
  /** TypeScript's error number, e.g. 2339. */
  code: number;
  /** 1-based, as are the others. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What POST /api/handlers/:file/check answers. */
export interface HandlerCheck {
  /** False when no type check could run (e.g. TypeScript is not installed); `reason` says why. */
  checked: boolean;
  reason?: string;
  problems: HandlerProblem[];
}
