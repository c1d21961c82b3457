/**
 * The executor: blocking calls handed to a pool of threads, as Tornado's
 * `IOLoop.run_in_executor` does. Each thread serves one call at a time (like a thread
 * stuck in a blocking driver call), so at most `threads` database calls are in flight;
 * the handler awaits the result and the loop is free meanwhile.
 */
import { DbError } from '../data/errors';
import { waitAllowanceMs } from '../data/newerUsers';
import type { OperationName } from '../data/operations';
import { type DbResponse, type DbThreadData, encodeArgs } from './protocol';
import { type DbThread, startDbThread } from './startThread';

export interface Executor {
  /** Resolves with the thread's reply; waits for a free thread first if all are busy. */
  call(op: OperationName, args: unknown[], comment: string): Promise<DbResponse>;
  /** True when every thread is busy: the next call has to queue. */
  saturated(): boolean;
  close(): Promise<void>;
}

interface Job {
  op: OperationName;
  args: unknown[];
  comment: string;
  resolve: (response: DbResponse) => void;
  reject: (error: Error) => void;
}

/** Told when a call gets a thread and when the thread is free of it (the long poll counts held threads). */
export interface ExecutorHooks {
  started(op: OperationName): void;
  ended(op: OperationName): void;
}

export async function createExecutor(
  data: Omit<DbThreadData, 'entry' | 'signal'>,
  threads: number,
  timeoutMs: () => number,
  hooks?: ExecutorHooks,
): Promise<Executor> {
  const pool: DbThread[] = await Promise.all(
    Array.from({ length: threads }, () => startDbThread({ ...data, signal: null })),
  );
  const idle = [...pool];
  const queue: Job[] = [];
  let seq = 0;

  /** A thread is free again only when its call has really ended: then it takes the next job. */
  const release = (thread: DbThread): void => {
    const next = queue.shift();
    if (next) run(thread, next);
    else idle.push(thread);
  };

  const run = (thread: DbThread, job: Job): void => {
    const mine = ++seq;
    let abandoned = false;
    hooks?.started(job.op);
    const onMessage = (response: DbResponse): void => {
      if (response.seq !== mine) return;
      clearTimeout(timer);
      thread.port.off('message', onMessage);
      hooks?.ended(job.op);
      if (!abandoned) job.resolve(response);
      release(thread);
    };
    // The caller stops waiting, but the thread is still stuck in the call (as a real thread
    // in a blocking driver call would be): it stays busy until that call's late answer, so
    // the next job goes to a free thread instead of queueing behind the abandoned one.
    const limit = timeoutMs() + waitAllowanceMs(job.op, job.args);
    const timer = setTimeout(() => {
      abandoned = true;
      job.reject(new DbError({ kind: 'timeout', message: `no answer from the database within ${limit} ms` }));
    }, limit);
    thread.port.on('message', onMessage);
    thread.port.postMessage({ seq: mine, op: job.op, args: encodeArgs(job.args), comment: job.comment });
  };

  return {
    call(op, args, comment) {
      return new Promise((resolve, reject) => {
        const job = { op, args, comment, resolve, reject };
        const thread = idle.pop();
        if (thread) run(thread, job);
        else queue.push(job);
      });
    },
    saturated: () => idle.length === 0,
    async close() {
      await Promise.all(pool.map((thread) => thread.terminate()));
    },
  };
}
