/**
 * Keeps the lab's database alive, or says why it is not.
 *
 * A database the lab started (the embedded server, or mongod through mongodb-memory-server):
 * when its process dies (a crash, `kill -9`), it is started again on the same port, so every
 * client (the subject behind the latency proxy, the lab's health checks) reconnects to the
 * same URI, and the new, empty one is re-seeded.
 *
 * An external database (MONGODB_URI) is not ours to restart: it is pinged, and while it does
 * not answer it is retried with backoff and reported down with the reason and the next retry.
 *
 * When the lab stops, the keeper stands down first: a database that exits because the lab is
 * stopping (children.ts sends every child SIGTERM) is not restarted, nor said to be.
 */
import { MongoClient } from 'mongodb';
import { redactUri, type StartedDatabase } from './resolve';

/** Restart attempts back off from this to MAX_BACKOFF_MS (the port may still be held a moment). */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;
/**
 * A database that ends on a stop signal (or cleanly) may be going down with the lab (a
 * terminal's Ctrl-C reaches the whole process group): wait this long for the lab to stand down.
 */
const SIGNAL_GRACE_MS = 300;
/** An external database that answers is pinged this often. */
const EXTERNAL_CHECK_MS = 1000;
/** Pings of a silent external database back off from this to EXTERNAL_MAX_BACKOFF_MS. */
const EXTERNAL_FIRST_BACKOFF_MS = 500;
const EXTERNAL_MAX_BACKOFF_MS = 30_000;
const EXTERNAL_PING_TIMEOUT_MS = 2000;

/** What the keeper says about the database (the lab puts it in /api/health). */
export interface DatabaseState {
  up: boolean;
  message: string;
  /** The keeper is starting the database again (its process died). */
  restarting?: boolean;
  /** An external database that does not answer: when the keeper tries it next (epoch ms). */
  nextRetryAt?: number;
}

export interface DatabaseKeeperOptions {
  /** Re-creates the seed data in a restarted (empty) database. */
  seed(uri: string): Promise<void>;
  log(line: string): void;
  /** Told when the database went away and when it is back, with a sentence for the UI. */
  onChange?(up: boolean, message: string, state: DatabaseState): void;
}

export interface DatabaseKeeper {
  /** Stops restarting or retrying, at once (synchronous, so a signal handler can call it first). */
  standDown(): void;
  /** Stands down and stops the database. */
  stop(): Promise<void>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

export function keepDatabase(database: StartedDatabase, options: DatabaseKeeperOptions): DatabaseKeeper {
  let stopped = false;
  const wakers = new Set<() => void>();
  /** Sleeps, but wakes early when the keeper stands down. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });
  const report = (state: DatabaseState) => {
    if (!stopped) options.onChange?.(state.up, state.message, state);
  };
  const standDown = () => {
    stopped = true;
    for (const wake of [...wakers]) wake();
  };

  let watching: Promise<void>;
  if (database.process) watching = keepProcess(database, database.process, options, report, sleep, () => stopped);
  else if (database.info.kind === 'external')
    watching = watchExternal(database.uri, options, report, sleep, () => stopped);
  else watching = Promise.resolve();
  watching.catch((error: unknown) => options.log(`the database keeper stopped: ${describe(error)}`));

  return {
    standDown,
    stop: async () => {
      standDown();
      await database.stop();
      await watching.catch(() => undefined);
    },
  };
}

type Report = (state: DatabaseState) => void;
type Sleep = (ms: number) => Promise<void>;

async function keepProcess(
  database: StartedDatabase,
  owned: NonNullable<StartedDatabase['process']>,
  options: DatabaseKeeperOptions,
  report: Report,
  sleep: Sleep,
  stopped: () => boolean,
): Promise<void> {
  owned.prepare?.();
  while (!stopped()) {
    const why = await owned.exited();
    // A server that handles the signal exits cleanly ("code 0").
    if (/^(SIG(TERM|INT|HUP)|code 0)$/.test(why)) await sleep(SIGNAL_GRACE_MS);
    if (stopped()) return;
    const diedAt = Date.now();
    const gone = `${owned.name} exited (${why})`;
    options.log(`${gone}; restarting it on the same address`);
    report({ up: false, restarting: true, message: `${gone}; restarting it` });
    let restarted = false;
    for (let delay = FIRST_BACKOFF_MS; !stopped(); delay = Math.min(delay * 2, MAX_BACKOFF_MS)) {
      try {
        await owned.restart();
        restarted = true;
        break;
      } catch (error) {
        options.log(`restarting ${owned.name} failed (${describe(error)}); retrying in ${delay} ms`);
        report({
          up: false,
          restarting: true,
          message: `${gone}; restarting it failed (${describe(error)}), retrying in ${delay} ms`,
        });
        await sleep(delay);
      }
    }
    // Stood down while a restart was under way: what it started must not outlive the lab.
    if (stopped()) {
      if (restarted) await database.stop();
      return;
    }
    const back = ((Date.now() - diedAt) / 1000).toFixed(1);
    options.log(`${owned.name} is back after ${back} s; re-seeding it`);
    report({ up: true, restarting: true, message: `${gone}; it is back after ${back} s, re-seeding it` });
    let seedProblem = '';
    try {
      await options.seed(database.uri);
    } catch (error) {
      seedProblem = `, but re-seeding it failed: ${describe(error)}`;
    }
    const message = `the database was restarted ${((Date.now() - diedAt) / 1000).toFixed(1)} s after ${gone}${seedProblem}`;
    options.log(message);
    report({ up: true, message });
  }
}

/** Pings an external database; while it does not answer, retries with backoff and says when. */
async function watchExternal(
  uri: string,
  options: DatabaseKeeperOptions,
  report: Report,
  sleep: Sleep,
  stopped: () => boolean,
): Promise<void> {
  const shown = redactUri(uri);
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: EXTERNAL_PING_TIMEOUT_MS,
    connectTimeoutMS: EXTERNAL_PING_TIMEOUT_MS,
    socketTimeoutMS: EXTERNAL_PING_TIMEOUT_MS,
    maxPoolSize: 1,
  });
  let downSince: number | undefined;
  let delay = EXTERNAL_FIRST_BACKOFF_MS;
  try {
    while (!stopped()) {
      let problem: string | undefined;
      try {
        await client.db('admin').command({ ping: 1 });
      } catch (error) {
        // Never the URI's credentials in a log line or the UI.
        problem = describe(error).split(uri).join(shown);
      }
      if (stopped()) return;
      if (problem === undefined) {
        if (downSince !== undefined) {
          const message = `the database at ${shown} answers again after ${((Date.now() - downSince) / 1000).toFixed(1)} s`;
          options.log(message);
          report({ up: true, message });
          downSince = undefined;
          delay = EXTERNAL_FIRST_BACKOFF_MS;
        }
        await sleep(EXTERNAL_CHECK_MS);
        continue;
      }
      if (downSince === undefined) {
        downSince = Date.now();
        options.log(`the database at ${shown} does not answer (${problem}); retrying with backoff`);
      }
      const nextRetryAt = Date.now() + delay;
      report({
        up: false,
        nextRetryAt,
        message: `the database at ${shown} does not answer (${problem}); next retry in ${(delay / 1000).toFixed(1)} s`,
      });
      await sleep(delay);
      delay = Math.min(delay * 2, EXTERNAL_MAX_BACKOFF_MS);
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}
