/**
 * Wires the non-blocking long poll into the driver calls of one request: `waitForNewer`
 * becomes a waiter record (no query until a publish), and a successful `insertOne` is a
 * publish that answers every waiter.
 */
import type { OperationName } from '../data/operations';
import type { NewUser } from '../data/types';
import type { Waiters } from './waiters';

type Invoke = (op: OperationName, args: unknown[]) => Promise<unknown>;

export function withPublishing(invoke: Invoke, waiters: Waiters): Invoke {
  return async (op, args) => {
    if (op === 'waitForNewer') {
      const [after, timeoutMs] = args as [string, number];
      return waiters.wait(after, timeoutMs, (from) => invoke('findNewer', [from]) as Promise<NewUser[]>);
    }
    const result = await invoke(op, args);
    if (op === 'insertOne') waiters.publish((result as { insertedId: string }).insertedId);
    return result;
  };
}
