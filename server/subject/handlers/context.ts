/**
 * What every handler receives. Tracing stays out of the handler text: `step('query')` is
 * the step marker a lesson highlights AND the `handler.step` trace event, and `users` is
 * already bound to the request, so a handler reads like ordinary application code.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StepName } from '../../../common/steps';
import type { AsyncUsers, BlockingUsers, CallbackUsers } from '../data/types';

export type { StepName };

export interface HandlerContext<Users> {
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters, already URL-decoded (e.g. { username }). */
  params: Record<string, string>;
  /** The query string. */
  query: URLSearchParams;
  /** POST only: the parsed JSON body (size-limited and parsed before the handler runs). */
  body: unknown;
  /** Marks the line the handler is on: the trace's `handler.step`. */
  step: (name: StepName) => void;
  /** cpuMs of synchronous work: what async does not fix. */
  cpu: () => void;
  users: Users;
}

export type BlockingContext = HandlerContext<BlockingUsers>;
export type NonblockingContext = HandlerContext<AsyncUsers>;
export type CallbackContext = HandlerContext<CallbackUsers>;
