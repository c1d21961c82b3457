/**
 * A request served by an edited handler answers by its deadline: a handler that never
 * calls `res.end` (a lost callback, a promise that never settles) gets a 504, which the
 * trace shows like any other status.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from './respond';

export const EDITED_DEADLINE_MS = 10_000;

export function guardEdited(res: ServerResponse, deadlineMs = EDITED_DEADLINE_MS): void {
  const timer = setTimeout(() => {
    if (res.writableEnded) return;
    if (res.headersSent)
      res.end(); // it started answering but never finished
    else sendJson(res, 504, { error: `the handler did not answer within ${deadlineMs / 1000} s` });
  }, deadlineMs);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
}
