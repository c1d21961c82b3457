/**
 * Type-checks an edited handler before it is applied: the editor asks as the learner types
 * (POST /api/handlers/:file/check), and shows syntax and type errors at their line.
 *
 * A type error does not stop "Apply and run": TypeScript's types are erased when the code
 * runs (as tsx and esbuild do), and some lessons are about exactly that, e.g. a forgotten
 * `await` type-checks as an error yet runs and answers before the database does. Only a
 * syntax error (nothing to run) refuses an apply.
 *
 * The checking runs on its own thread (checkWorker.mjs), started on the first check.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { HandlerProblem } from '../../../common/handlers';
import { HANDLERS_DIR } from '../../subject/handlers/catalog';
import { HttpError } from '../../../common/httpError';

export type CheckResult =
  { checked: true; problems: HandlerProblem[] } | { checked: false; reason: string; problems: [] };

/** Checks waiting for the thread at most; more are refused (the editor sends one at a time). */
const MAX_WAITING = 8;
/** A check that takes longer than this has gone wrong. */
const CHECK_TIMEOUT_MS = 60_000;
/**
 * Until the thread has answered once, a check also waits for it to load TypeScript and the
 * driver's and Node's types: a few seconds on a quiet machine, over a minute on a busy one
 * (seen under coverage at load 25), which is slow, not wrong.
 */
const COLD_CHECK_TIMEOUT_MS = 3 * CHECK_TIMEOUT_MS;
/** TypeScript with the driver's and Node's types holds ~200 MB: the thread ends after this long unused. */
const IDLE_MS = 5 * 60_000;

interface Reply {
  id: number;
  ok: boolean;
  problems?: HandlerProblem[];
  unavailable?: string;
}

export class HandlerTypeChecker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(result: CheckResult): void; timer: NodeJS.Timeout }>();
  private idle: NodeJS.Timeout | undefined;
  /** The thread has answered a check: TypeScript is loaded. */
  private warm = false;

  private thread(): Worker {
    if (this.worker) return this.worker;
    const root = fileURLToPath(new URL('../../../', HANDLERS_DIR));
    const worker = new Worker(new URL('./checkWorker.mjs', import.meta.url), {
      workerData: { root },
      name: 'handler type checker',
    });
    worker.unref();
    this.warm = false;
    worker.on('message', (reply: Reply) => {
      this.warm = true;
      const pending = this.waiting.get(reply.id);
      if (!pending) return;
      this.waiting.delete(reply.id);
      clearTimeout(pending.timer);
      pending.resolve(
        reply.ok
          ? { checked: true, problems: reply.problems ?? [] }
          : { checked: false, reason: reply.unavailable ?? 'the type checker is unavailable', problems: [] },
      );
    });
    const fail = (reason: string) => {
      this.worker = undefined;
      for (const [id, pending] of this.waiting) {
        clearTimeout(pending.timer);
        pending.resolve({ checked: false, reason, problems: [] });
        this.waiting.delete(id);
      }
    };
    worker.on('error', (error) => fail(`the type checker failed: ${error.message}`));
    worker.on('exit', () => fail('the type checker stopped'));
    this.worker = worker;
    return worker;
  }

  /** The syntax and type errors of `source` as the handler file `file`. */
  check(file: string, source: string): Promise<CheckResult> {
    if (this.waiting.size >= MAX_WAITING)
      throw new HttpError(429, 'too many type checks are waiting; try again in a moment');
    const worker = this.thread();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.close(), IDLE_MS).unref();
    const id = this.nextId++;
    const limitMs = this.warm ? CHECK_TIMEOUT_MS : COLD_CHECK_TIMEOUT_MS;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({
          checked: false,
          reason: `the type check took longer than ${limitMs / 1000} s`,
          problems: [],
        });
      }, limitMs);
      this.waiting.set(id, { resolve, timer });
      worker.postMessage({ id, file: fileURLToPath(new URL(file, HANDLERS_DIR)), source });
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.idle);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}
