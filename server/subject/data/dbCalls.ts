/**
 * The trace around every database call, whatever the mode: `db.call` when the handler
 * asks, `pool.wait` when nothing is free to serve it at that moment, `db.sent` when the
 * driver put it on a connection, `db.reply` when the answer is back in the handler.
 * Also counts calls in flight (for samples) and tells the process when the database
 * stops or starts answering.
 */
import type { RequestTrace } from '../runtime/tracer';
import { type DbError, type DbErrorInfo } from './errors';
import type { OperationName } from './operations';
import { USERS_COLLECTION } from './operations';

export interface DbCalls {
  inFlight(): number;
  begin(trace: RequestTrace, op: OperationName, saturated: boolean): DbCall;
}

export interface DbCall {
  sent(t: number | undefined): void;
  succeeded(): void;
  failed(error: DbError): void;
}

/** Called on every outcome; the process reports transitions (up -> down -> up) to the supervisor. */
export type HealthListener = (up: boolean, error?: DbErrorInfo) => void;

export function createDbCalls(onHealth: HealthListener): DbCalls {
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    begin(trace, op, saturated) {
      trace.dbCall(op, USERS_COLLECTION);
      // The driver's own checkout events come later (after server selection), too late to
      // tell whether this call found a free connection; saturation is decided here.
      if (saturated) trace.poolWait();
      inFlight += 1;
      let sentSeen = false;
      return {
        sent(t) {
          if (t === undefined || sentSeen) return;
          sentSeen = true;
          trace.dbSent(t);
        },
        succeeded() {
          inFlight -= 1;
          trace.dbReply(true);
          onHealth(true);
        },
        failed(error) {
          inFlight -= 1;
          trace.dbReply(false, error.message.slice(0, 200));
          if (error.kind === 'unavailable' || error.kind === 'timeout') onHealth(false, error);
          else onHealth(true);
        },
      };
    },
  };
}
