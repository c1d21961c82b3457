/**
 * Long scans share the server's one thread: every few milliseconds a scan steps aside
 * (setImmediate) so other connections' requests run, and it checks maxTimeMS as it goes.
 */
import type { Document } from 'bson';
import { activeCollator, withCollator } from './bson/compare';
import { CommandError } from './errors';

/** Scans at most this long before letting other connections in. */
export const SLICE_MS = 4;
/** Fewer candidates than this are filtered in one go: the common indexed lookup stays synchronous. */
export const YIELD_THRESHOLD = 2048;

export function timeLimitExceeded(): CommandError {
  return new CommandError('MaxTimeMSExpired', 'operation exceeded time limit');
}

/** Throws MaxTimeMSExpired once `deadline` (a performance.now() value) has passed. */
export function checkDeadline(deadline: number | undefined): void {
  if (deadline !== undefined && performance.now() > deadline) throw timeLimitExceeded();
}

export const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `then` on a value now, or on a promise's value when it settles: short work stays
 * synchronous. The command's collation still applies to the work done after a wait.
 */
export function after<T, R>(value: T | Promise<T>, then: (value: T) => R | Promise<R>): R | Promise<R> {
  if (!(value instanceof Promise)) return then(value);
  const collator = activeCollator();
  return value.then((settled) => withCollator(collator, () => then(settled)));
}

export async function filterYielding(
  docs: Document[],
  test: (doc: Document) => boolean,
  deadline?: number,
): Promise<Document[]> {
  const out: Document[] = [];
  let sliceStart = performance.now();
  for (let i = 0; i < docs.length; i++) {
    if ((i & 511) === 0 && i > 0) {
      const now = performance.now();
      if (deadline !== undefined && now > deadline) throw timeLimitExceeded();
      if (now - sliceStart > SLICE_MS) {
        await pause();
        sliceStart = performance.now();
      }
    }
    const doc = docs[i]!;
    if (test(doc)) out.push(doc);
  }
  checkDeadline(deadline);
  return out;
}
