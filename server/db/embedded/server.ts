/**
 * The TCP server: one FrameReader per connection, each request answered synchronously and in
 * order. A malformed frame closes only its own connection.
 */
import net from 'node:net';
import type { Document } from 'bson';
import { runCommand } from './commands';
import type { ServerStats } from './commands/context';
import { Cursors } from './cursors';
import { FrameError, FrameReader } from './framing';
import { CommandError, toErrorReply } from './errors';
import { encodeReply, parseRequest, type Request } from './protocol';
import { Store } from './store';

export interface EmbeddedServerOptions {
  port?: number;
  host?: string;
  store?: Store;
  log?: (line: string) => void;
}

export interface RunningServer {
  port: number;
  store: Store;
  close(): Promise<void>;
}

/** Encodes a reply; one that cannot be encoded (e.g. too large) becomes an error reply instead. */
function encode(request: Request, reply: Document): Buffer {
  try {
    return encodeReply(request, reply);
  } catch (error) {
    return encodeReply(request, toErrorReply(new CommandError('InternalError', `could not encode the reply: ${(error as Error).message}`)));
  }
}

export async function listen(options: EmbeddedServerOptions = {}): Promise<RunningServer> {
  const store = options.store ?? new Store();
  const log = options.log ?? ((line: string) => console.error(line));
  const cursors = new Cursors();
  const stats: ServerStats = {
    startedAt: Date.now(),
    connections: { current: 0, totalCreated: 0 },
    opcounters: { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 },
  };
  const sockets = new Set<net.Socket>();

  const server = net.createServer((socket) => {
    const connectionId = ++stats.connections.totalCreated;
    stats.connections.current++;
    sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader();
    const context = { store, cursors, stats, connectionId };
    const drop = (why: string) => {
      log(`conn${connectionId}: closing connection: ${why}`);
      socket.destroy();
    };

    socket.on('data', (chunk) => {
      if (socket.destroyed) return;
      // Replies to the frames of one chunk leave in one write: pipelined requests share a
      // packet, and the usual chunk (one request) costs one write call and nothing else.
      // (Corking here and uncorking on the next tick did the same for twice the work per request.)
      const replies: Buffer[] = [];
      try {
        for (const frame of reader.push(chunk)) {
          const request = parseRequest(frame);
          const reply: Document = runCommand(request.command, context);
          // A reply to a moreToCome message would be read as the answer to the next command.
          if (!request.noReply) replies.push(encode(request, reply));
        }
      } catch (error) {
        if (error instanceof FrameError) drop(`malformed message: ${error.message}`);
        else drop(`internal error: ${(error as Error).stack ?? String(error)}`);
        return;
      }
      if (replies.length === 1) socket.write(replies[0]!);
      else if (replies.length > 1) socket.write(Buffer.concat(replies));
    });
    socket.on('end', () => {
      if (reader.pending > 0) log(`conn${connectionId}: connection closed with a truncated message (${reader.pending} bytes pending)`);
      socket.end();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      stats.connections.current--;
      sockets.delete(socket);
    });
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
