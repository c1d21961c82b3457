/**
 * One client connection: frames in, replies out in request order. Most commands answer at
 * once; one that yields (a long scan) holds the rest of this connection's requests until it
 * is done, while other connections go on being served. Incomplete frames are bounded in size
 * and in time, so a slow or stalled sender cannot hold memory.
 */
import type net from 'node:net';
import type { Document } from 'bson';
import { runCommand } from './commands';
import type { CommandContext } from './commands/context';
import { isPlainObject } from './bson/compare';
import { CommandError, toErrorReply } from './errors';
import { type FailAction, withWriteConcernError } from './failPoints';
import { type Frame, FrameError, FrameReader } from './framing';
import { type CommandRequest, encodeLegacyFailure, encodeReply, parseRequest, type Request } from './protocol';

export interface Limits {
  /** An incomplete frame older than this closes the connection. */
  frameTimeoutMs: number;
  /** Bytes of incomplete frames all connections together may hold. */
  maxTotalBufferedBytes: number;
}

/** What every connection shares: the bytes they buffer between them. */
export interface Shared {
  buffered: number;
}

/** A reply that is no reply: the fail point closes the connection instead. */
const CLOSE = Symbol('close the connection');
const HELLO = new Set(['hello', 'isMaster', 'ismaster']);

function appNameOf(cmd: Document): string | undefined {
  const client: unknown = cmd.client;
  const application = isPlainObject(client) ? client.application : undefined;
  const name = isPlainObject(application) ? application.name : undefined;
  return typeof name === 'string' ? name : undefined;
}

/** Received frames waiting behind a command that yields: past this the socket stops reading. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

/** Encodes a reply; one that cannot be encoded (e.g. too large) becomes an error reply instead. */
function encode(request: CommandRequest, reply: Document): Buffer {
  try {
    return encodeReply(request, reply);
  } catch (error) {
    return encodeReply(
      request,
      toErrorReply(new CommandError('InternalError', `could not encode the reply: ${(error as Error).message}`)),
    );
  }
}

export function serveConnection(
  socket: net.Socket,
  context: Omit<CommandContext, 'db' | 'owner' | 'deadline'>,
  limits: Limits,
  shared: Shared,
  log: (line: string) => void,
): void {
  const { connectionId } = context;
  const reader = new FrameReader();
  const queue: Frame[] = [];
  let queuedBytes = 0;
  let busy = false;
  let frameTimer: NodeJS.Timeout | undefined;
  /** The name the client gave in its handshake (client.application.name): failCommand's appName filter. */
  let appName: string | undefined;

  /** A command the failCommand fail point acts on: after its block, closed, failed, or run with a write concern error added. */
  const failing = (
    command: CommandRequest,
    action: FailAction,
  ): Document | typeof CLOSE | Promise<Document | typeof CLOSE> => {
    const act = (): Document | typeof CLOSE | Promise<Document> => {
      if (action.closeConnection) return CLOSE;
      if (action.error) return action.error;
      const reply = runCommand(command.command, context);
      return reply instanceof Promise
        ? reply.then((r) => withWriteConcernError(r, action))
        : withWriteConcernError(reply, action);
    };
    if (action.blockMs === 0) return act();
    return new Promise<void>((resolve) => setTimeout(resolve, action.blockMs)).then(act);
  };

  const drop = (why: string) => {
    log(`conn${connectionId}: closing connection: ${why}`);
    socket.destroy();
  };

  const account = (before: number) => {
    shared.buffered += reader.pending - before;
    if (reader.pending === 0) {
      clearTimeout(frameTimer);
      frameTimer = undefined;
    } else if (!frameTimer) {
      frameTimer = setTimeout(
        () => drop(`an incomplete message waited more than ${limits.frameTimeoutMs} ms for its remaining bytes`),
        limits.frameTimeoutMs,
      );
      frameTimer.unref();
    }
  };

  /** Runs queued frames until one yields; replies to synchronous ones leave together in one write. */
  const pump = () => {
    const replies: Buffer[] = [];
    const flush = () => {
      if (replies.length === 1) socket.write(replies[0]!);
      else if (replies.length > 1) socket.write(Buffer.concat(replies));
      replies.length = 0;
    };
    while (!busy && queue.length > 0 && !socket.destroyed) {
      const frame = queue.shift()!;
      queuedBytes -= frame.body.length;
      let request: Request;
      try {
        request = parseRequest(frame);
      } catch (error) {
        flush();
        drop(`malformed message: ${(error as Error).message}`);
        return;
      }
      if (request.kind === 'legacy') {
        // Opcodes MongoDB 6 removed: a reply-expecting one gets a failure reply; fire-and-forget ones are logged.
        log(
          `conn${connectionId}: ${request.description} is not supported by the embedded server (use OP_MSG commands)`,
        );
        if (!request.noReply)
          replies.push(encodeLegacyFailure(request, `${request.description} is not supported by the embedded server`));
        continue;
      }
      const command: CommandRequest = request;
      const name = Object.keys(command.command)[0] ?? '';
      if (HELLO.has(name)) appName = appNameOf(command.command) ?? appName;
      const action = context.failPoints.check(name, command.command, appName);
      const reply = action ? failing(command, action) : runCommand(command.command, context);
      if (reply === CLOSE) {
        flush();
        drop(`the failCommand fail point closes the connection on ${name}`);
        return;
      }
      if (reply instanceof Promise) {
        flush();
        busy = true;
        void reply.then((answer) => {
          busy = false;
          if (socket.destroyed) return;
          if (answer === CLOSE) {
            drop(`the failCommand fail point closes the connection on ${name}`);
            return;
          }
          if (!command.noReply) socket.write(encode(command, answer));
          if (queuedBytes < MAX_QUEUED_BYTES && socket.isPaused()) socket.resume();
          pump();
        });
        return;
      }
      // A reply to a moreToCome message would be read as the answer to the next command.
      if (!command.noReply) replies.push(encode(command, reply));
    }
    flush();
  };

  socket.on('data', (chunk) => {
    if (socket.destroyed) return;
    const before = reader.pending;
    if (shared.buffered + chunk.length > limits.maxTotalBufferedBytes) {
      drop(
        `the server already holds ${shared.buffered} bytes of incomplete messages (limit ${limits.maxTotalBufferedBytes})`,
      );
      return;
    }
    let frames: Frame[];
    try {
      frames = reader.push(chunk);
    } catch (error) {
      account(before);
      if (error instanceof FrameError) drop(`malformed message: ${error.message}`);
      else drop(`internal error: ${(error as Error).stack ?? String(error)}`);
      return;
    }
    account(before);
    for (const frame of frames) {
      queue.push(frame);
      queuedBytes += frame.body.length;
    }
    if (queuedBytes >= MAX_QUEUED_BYTES) socket.pause();
    pump();
  });
  socket.on('end', () => {
    if (reader.pending > 0)
      log(`conn${connectionId}: connection closed with a truncated message (${reader.pending} bytes pending)`);
    socket.end();
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    clearTimeout(frameTimer);
    shared.buffered -= reader.pending;
    context.cursors.dropOwner(`conn:${connectionId}`);
  });
}
