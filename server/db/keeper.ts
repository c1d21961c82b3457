/**
 * Keeps a database the lab started alive: when its process dies (a crash, `kill -9`), it is
 * started again on the same port, so every client (the subject behind the latency proxy,
 * the lab's health checks) reconnects to the same URI, and an in-memory one is re-seeded.
 * An external database (MONGODB_URI) is not ours to restart: the subject's driver retries it
 * and the lab reports it down until it answers again.
 */
import type { StartedDatabase } from './resolve';

/** Restart attempts back off from this to MAX_BACKOFF_MS (the port may still be held a moment). */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

export interface DatabaseKeeperOptions {
  /** Re-creates the seed data in a restarted (empty) database. */
  seed(uri: string): Promise<void>;
  log(line: string): void;
  /** Told when the database went away and when it is back, with a sentence for the UI. */
  onChange?(up: boolean, message: string): void;
}

export interface DatabaseKeeper {
  /** Stops watching and stops the database. */
  stop(): Promise<void>;
}

export function keepDatabase(database: StartedDatabase, options: DatabaseKeeperOptions): DatabaseKeeper {
  const owned = database.process;
  let stopped = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const bringBack = async (why: string): Promise<void> => {
    const diedAt = Date.now();
    const gone = `the database process exited (${why})`;
    options.log(`${gone}; restarting it on the same address`);
    options.onChange?.(false, `${gone}; restarting it`);
    for (let delay = FIRST_BACKOFF_MS; !stopped; delay = Math.min(delay * 2, MAX_BACKOFF_MS)) {
      try {
        await owned!.restart();
        break;
      } catch (error) {
        options.log(`restarting the database failed (${error instanceof Error ? error.message : String(error)}); retrying in ${delay} ms`);
        await sleep(delay);
      }
    }
    if (stopped) return database.stop();
    options.log(`the database process is back after ${((Date.now() - diedAt) / 1000).toFixed(1)} s; re-seeding it`);
    try {
      await options.seed(database.uri);
    } catch (error) {
      options.log(`re-seeding the restarted database failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const back = `the database was restarted ${((Date.now() - diedAt) / 1000).toFixed(1)} s after its process exited (${why})`;
    options.log(back);
    options.onChange?.(true, back);
  };

  const watch = async (): Promise<void> => {
    while (owned && !stopped) {
      const why = await owned.exited();
      if (stopped) return;
      await bringBack(why);
    }
  };
  watch().catch((error: unknown) => options.log(`the database keeper stopped: ${error instanceof Error ? error.message : String(error)}`));

  return {
    stop: async () => {
      stopped = true;
      await database.stop();
    },
  };
}
