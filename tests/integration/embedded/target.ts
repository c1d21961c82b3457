/**
 * The database the conformance suite runs against: the embedded server by default, the
 * real MongoDB named by MONGODB_URI, or a real mongod started from MONGOMS_SYSTEM_BINARY
 * (through mongodb-memory-server), so the same assertions pin all of them.
 */
import { randomBytes } from 'node:crypto';
import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';
import { startEmbeddedServer } from '../../../server/db/embedded';
import { startMemoryServer } from '../../../server/db/memoryServer';

/** True when the suite runs against a real MongoDB: tests that poke at the embedded server's own frames skip then. */
export const REAL_MONGODB = Boolean(process.env.MONGODB_URI || process.env.MONGOMS_SYSTEM_BINARY);

export interface Target {
  uri: string;
  /** True when testing a real MongoDB (MONGODB_URI or MONGOMS_SYSTEM_BINARY). */
  external: boolean;
  client: MongoClient;
  /** A database unique to this run, dropped by stop(). */
  db: Db;
  /** Extra log lines the embedded server printed (empty for an external server). */
  logs: string[];
  connect(options?: MongoClientOptions): Promise<MongoClient>;
  stop(): Promise<void>;
}

export async function openTarget(): Promise<Target> {
  const logs: string[] = [];
  const external = process.env.MONGODB_URI;
  const binary = process.env.MONGOMS_SYSTEM_BINARY;
  const server = external
    ? undefined
    : binary
      ? await startMemoryServer(binary)
      : await startEmbeddedServer({ log: (line) => logs.push(line) });
  const uri = external ?? server!.uri;
  const clients: MongoClient[] = [];
  const connect = async (options: MongoClientOptions = {}) => {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, ...options });
    clients.push(client);
    return client.connect();
  };
  const client = await connect();
  const db = client.db(`eloop_conformance_${randomBytes(4).toString('hex')}`);
  return {
    uri,
    external: REAL_MONGODB,
    client,
    db,
    logs,
    connect,
    async stop() {
      await db.dropDatabase().catch(() => undefined);
      await Promise.all(clients.map((c) => c.close()));
      await server?.stop();
    },
  };
}
