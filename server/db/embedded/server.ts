/**
 * The TCP server: each connection served by serveConnection, all sharing one store and one
 * set of cursors. Connections past the cap are closed with a log line, as mongod does.
 */
import net from 'node:net';
import type { ServerStats } from './commands/context';
import { type Limits, serveConnection, type Shared } from './connection';
import { Cursors } from './cursors';
import { onInternalError } from './errors';
import { FailPoints } from './failPoints';
import { Store } from './store';

export interface EmbeddedServerOptions {
  port?: number;
  host?: string;
  store?: Store;
  log?: (line: string) => void;
  /** Open connections allowed at once (default 10,000). */
  maxConnections?: number;
  /** How long an incomplete message may wait for its remaining bytes (default 30 s). */
  frameTimeoutMs?: number;
  /** Bytes of incomplete messages all connections together may hold (default 512 MB). */
  maxTotalBufferedBytes?: number;
  /** Accept test commands (configureFailPoint), as mongod does with enableTestCommands. */
  testCommands?: boolean;
}

export interface RunningServer {
  port: number;
  store: Store;
  close(): Promise<void>;
}

export const DEFAULT_LIMITS = {
  maxConnections: 10_000,
  frameTimeoutMs: 30_000,
  maxTotalBufferedBytes: 512 * 1024 * 1024,
};

export async function listen(options: EmbeddedServerOptions = {}): Promise<RunningServer> {
  const store = options.store ?? new Store();
  const log = options.log ?? ((line: string) => console.error(line));
  onInternalError((error) =>
    log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  );
  const cursors = new Cursors();
  const failPoints = new FailPoints(options.testCommands === true);
  const stats: ServerStats = {
    startedAt: Date.now(),
    connections: { current: 0, totalCreated: 0 },
    opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
  };
  const limits: Limits = {
    frameTimeoutMs: options.frameTimeoutMs ?? DEFAULT_LIMITS.frameTimeoutMs,
    maxTotalBufferedBytes: options.maxTotalBufferedBytes ?? DEFAULT_LIMITS.maxTotalBufferedBytes,
  };
  const maxConnections = options.maxConnections ?? DEFAULT_LIMITS.maxConnections;
  const shared: Shared = { buffered: 0 };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    if (sockets.size >= maxConnections) {
      log(`connection refused because too many open connections: ${sockets.size} (limit ${maxConnections})`);
      socket.destroy();
      return;
    }
    const connectionId = ++stats.connections.totalCreated;
    stats.connections.current++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => {
      stats.connections.current--;
      sockets.delete(socket);
    });
    serveConnection(socket, { store, cursors, stats, connectionId, failPoints }, limits, shared, log);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    port: address.port,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        cursors.close();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
