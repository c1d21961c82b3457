/**
 * A MongoClient whose first connection failed is closed for good (driver 7: every later
 * operation fails with "Topology is closed", even once the database answers again). A
 * subject started while the database is down (a config change or a crash during an outage)
 * must serve once it is back, so the client is replaced when an operation finds it closed:
 * that operation still fails (a 503, as any while the database is down), the next one
 * connects afresh.
 */
import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';

export interface RenewingClient {
  /** Runs `operation` on the current client's database; a closed client is replaced after it. */
  run<T>(operation: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const isClosedTopology = (error: unknown): boolean =>
  (error as { name?: unknown } | null)?.name === 'MongoTopologyClosedError';

/** `setup` is called on every client made (pool monitoring, say). */
export function renewingClient(
  uri: string,
  options: MongoClientOptions,
  dbName: string,
  setup: (client: MongoClient) => void,
): RenewingClient {
  let closing = false;
  const make = () => {
    const client = new MongoClient(uri, options);
    setup(client);
    return { client, db: client.db(dbName) };
  };
  let current = make();
  return {
    async run(operation) {
      const used = current;
      try {
        return await operation(used.db);
      } catch (error) {
        // Once per dead client: the operations that failed with it together replace it once.
        if (!closing && used === current && isClosedTopology(error)) {
          current = make();
          void used.client.close(true).catch(() => undefined);
        }
        throw error;
      }
    },
    close: () => {
      closing = true;
      return current.client.close(true);
    },
  };
}
