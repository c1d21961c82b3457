/**
 * Choosing the database, in this order:
 *   1. a URI the user gave (--mongodb-uri or MONGODB_URI): used as is, or a clear error;
 *   2. a real mongod through mongodb-memory-server, if one is on disk or quick to download;
 *   3. the embedded MongoDB-compatible server, as a child process, when offline or asked to.
 */
import { MongoClient } from 'mongodb';
import type { DatabaseInfo } from '../../common/api';
import { type EmbeddedServer, startEmbeddedServer } from './embedded';
import { embeddedBundle } from './embedded/bundle';

/** A given URI must answer `ping` within this long. */
export const PING_TIMEOUT_MS = 5_000;

export interface StartDatabaseOptions {
  /** From --mongodb-uri; falls back to env MONGODB_URI. */
  mongodbUri?: string;
  /** From --offline: skip mongodb-memory-server and use the embedded server. */
  offline?: boolean;
  /** Where progress lines go (start-up messages, download progress headers). */
  log?: (line: string) => void;
}

export interface StartedDatabase {
  uri: string;
  info: DatabaseInfo;
  /** Stops whatever this call started (nothing for an external URI). Safe to call twice. */
  stop(): Promise<void>;
  /** The process the lab started for the database, when it can bring it back (keeper.ts). */
  process?: DatabaseProcess;
  /**
   * A database that seeds the lab's users itself (the embedded server, just after it is
   * ready): resolves when they are in, with how long that took. Otherwise seed.ts seeds it.
   */
  seeded?: Promise<{ created: boolean; count: number; ms: number }>;
}

export interface DatabaseProcess {
  /** How the keeper names it in the log: "the database process", "mongod". */
  name: string;
  pid(): number;
  /** Resolves when the current process exits, however it ends ("SIGKILL", "code 1"). */
  exited(): Promise<string>;
  /** Starts the database again on the same port (and so the same URI). */
  restart(): Promise<void>;
  /** Gets ready to restart fast (e.g. compiles the server), in the background. */
  prepare?(): void;
}

/** mongodb://user:pass@host/db -> mongodb://***@host/db, so credentials never reach a log or an error. */
export function redactUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}

/** The one line start-up prints, e.g. "MongoDB 8.2.6 (mongodb-memory-server, cached binary ...)". */
export function describeDatabase(info: DatabaseInfo): string {
  switch (info.kind) {
    case 'external':
      return `MongoDB ${info.version} (external, ${info.reason})`;
    case 'memory-server':
      return `MongoDB ${info.version} (mongodb-memory-server, ${info.reason})`;
    case 'embedded':
      return `embedded MongoDB-compatible server ${info.version} (${info.reason})`;
  }
}

function stripSecrets(text: string, uri: string): string {
  const userInfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/?#]*)@/i.exec(uri)?.[1];
  let out = text.split(uri).join(redactUri(uri));
  if (userInfo) out = out.split(userInfo).join('***');
  return out;
}

/** Connects, pings and asks the version; throws if the server does not answer in time. */
async function pingAndVersion(uri: string, timeoutMs: number): Promise<string> {
  const client = new MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
  });
  try {
    await client.connect();
    const admin = client.db('admin');
    await admin.command({ ping: 1 });
    const build = await admin.command({ buildInfo: 1 });
    return typeof build.version === 'string' ? build.version : 'unknown';
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function useExternal(uri: string, source: string): Promise<StartedDatabase> {
  const shown = redactUri(uri);
  let version: string;
  try {
    version = await pingAndVersion(uri, PING_TIMEOUT_MS);
  } catch (error) {
    const why = stripSecrets(error instanceof Error ? error.message : String(error), uri);
    // No `cause`: printing the error would print the driver's error too, unredacted.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(
      `The MongoDB at ${shown} (from ${source}) did not answer ping within ${PING_TIMEOUT_MS / 1000} s: ${why}`,
    );
  }
  return { uri, info: { kind: 'external', version, reason: `${source} ${shown}` }, stop: async () => undefined };
}

const launchEmbedded = () => startEmbeddedServer({ seedLab: true });

async function useEmbedded(
  reason: string,
  launched: Promise<EmbeddedServer> = launchEmbedded(),
): Promise<StartedDatabase> {
  // It seeds the lab's users itself (a restarted one too), while the lab starts the rest.
  let server = await launched;
  const { port } = server;
  return {
    uri: server.uri,
    info: { kind: 'embedded', version: server.version, reason },
    ...(server.seeded ? { seeded: server.seeded } : {}),
    stop: () => server.stop(),
    process: {
      name: 'the database process',
      pid: () => server.pid,
      exited: () => server.exited,
      restart: async () => {
        server = await startEmbeddedServer({ port, seedLab: true, compiled: await embeddedBundle() });
      },
      prepare: () => void embeddedBundle(),
    },
  };
}

async function useMemoryServer(binaryPath: string, how: string): Promise<StartedDatabase> {
  // Loaded only on this path: mongodb-memory-server is a large library.
  const { startMemoryServer } = await import('./memoryServer');
  let server = await startMemoryServer(binaryPath);
  let version: string;
  try {
    version = await pingAndVersion(server.uri, PING_TIMEOUT_MS);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const port = Number(new URL(server.uri).port);
  return {
    uri: server.uri,
    info: { kind: 'memory-server', version, reason: how },
    stop: () => server.stop(),
    process: {
      name: 'mongod',
      pid: () => server.pid,
      exited: () => server.exited,
      restart: async () => {
        // The dead one's files go; the new mongod starts empty on the same port (and is re-seeded).
        await server.stop();
        server = await startMemoryServer(binaryPath, port);
      },
    },
  };
}

/** Starts or finds the lab's MongoDB; see the module comment for the order. */
export async function startDatabase(opts: StartDatabaseOptions = {}): Promise<StartedDatabase> {
  const log = opts.log ?? (() => undefined);
  const given = opts.mongodbUri ?? process.env.MONGODB_URI;
  if (given) return useExternal(given, opts.mongodbUri ? '--mongodb-uri' : 'MONGODB_URI');
  if (opts.offline) return useEmbedded('--offline given');

  // Loaded only on this path: mongodb-memory-server is a large library.
  const { resolveMongodBinary } = await import('./mongodBinary');
  // No mongod on disk: the embedded server starts while the download is probed (up to
  // PROBE_TIMEOUT_MS when offline), and is stopped if a mongod arrives after all.
  let early: Promise<EmbeddedServer> | undefined;
  const binary = await resolveMongodBinary(log, () => {
    early = launchEmbedded();
    early.catch(() => undefined);
  });
  if (!binary.found) return useEmbedded(binary.reason, early);
  if (early)
    void early.then(
      (server) => server.stop(),
      () => undefined,
    );
  try {
    return await useMemoryServer(binary.path, binary.how);
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`mongod ${binary.path} did not start (${why}); using the embedded server`);
    return useEmbedded(`mongod did not start: ${why}`);
  }
}
