/** Starts one database thread and resolves when it is ready for requests. */
import path from 'node:path';
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { THREAD_ENTRY_ENV } from '../messages';
import type { DbThreadData } from './protocol';

export interface DbThread {
  worker: Worker;
  /** The main thread's end of the channel: requests go out, replies come back here. */
  port: MessagePort;
  /** Stops the thread on purpose (any other exit takes the subject process down). */
  terminate(): Promise<void>;
}

const BOOT = new URL('./workerBoot.mjs', import.meta.url);
const ENTRY = new URL('./dbThread.ts', import.meta.url).href;
/** Beside every compiled thread, the builds put threadBoot.cjs, which starts it from V8's code cache (see the file). */
const compiledBoot = (bundle: string): string => path.join(path.dirname(bundle), 'threadBoot.cjs');

export async function startDbThread(data: Omit<DbThreadData, 'entry'>): Promise<DbThread> {
  const { port1, port2 } = new MessageChannel();
  // A compiled subject starts its compiled thread directly; from source, through tsx.
  const compiled = process.env[THREAD_ENTRY_ENV];
  const worker = new Worker(compiled ? compiledBoot(compiled) : BOOT, {
    workerData: { ...data, entry: ENTRY, bundle: compiled, port: port2 },
    transferList: [port2],
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`database thread exited (${code}) before it was ready`)));
  });
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  port1.unref();
  let terminating = false;
  // A database thread that dies on its own leaves the subject unable to reach MongoDB:
  // exit, and let the supervisor restart the subject cleanly (it reports the crash).
  worker.on('error', (error) => console.error('subject: database thread failed', error));
  worker.once('exit', (code) => {
    if (terminating) return;
    console.error(`subject: database thread exited (${code}); exiting so the supervisor restarts us`);
    process.exit(1);
  });
  return {
    worker,
    port: port1,
    terminate: async () => {
      terminating = true;
      await worker.terminate();
    },
  };
}
