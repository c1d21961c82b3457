/**
 * Bounded resources and clients it was not written for: incomplete frames time out, total
 * buffered bytes and connections are capped with a log line, cursor ids are random and owned
 * by their session, legacy opcodes and authentication get an answer rather than a closed socket.
 */
import { once } from 'node:events';
import net from 'node:net';
import { BSON, type Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedServer } from '../../../server/db/embedded';

let server: EmbeddedServer;
const logs: string[] = [];
let client: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedServer({
    log: (line) => logs.push(line),
    limits: { frameTimeoutMs: 300, maxConnections: 8, maxBufferedMb: 1 },
  });
  client = await new MongoClient(server.uri, { maxPoolSize: 2 }).connect();
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
});

function header(length: number, opCode: number, requestId = 1): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(requestId, 4);
  head.writeInt32LE(opCode, 12);
  return head;
}

function ping(requestId: number): Buffer {
  const doc = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }));
  return Buffer.concat([header(21 + doc.length, 2013, requestId), Buffer.alloc(5), doc]);
}

async function rawSocket(): Promise<{ socket: net.Socket; closed: Promise<void>; replies: Buffer[] }> {
  const socket = net.connect(server.port, '127.0.0.1');
  const replies: Buffer[] = [];
  socket.on('data', (chunk) => replies.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  return { socket, closed, replies };
}

const logged = (pattern: RegExp) => logs.some((line) => pattern.test(line));

describe('bounded resources', () => {
  it('closes a connection whose incomplete message stalls', async () => {
    const { socket, closed } = await rawSocket();
    socket.write(ping(1).subarray(0, 20));
    await closed;
    await expect.poll(() => logged(/incomplete message waited more than 300 ms/)).toBe(true);
  });

  it('caps the bytes of incomplete messages all connections hold together', async () => {
    const first = await rawSocket();
    const second = await rawSocket();
    // Each announces a 900 kB message and sends 600 kB of it: the two together pass 1 MB.
    for (const { socket } of [first, second])
      socket.write(Buffer.concat([header(900_000, 2013), Buffer.alloc(600_000)]));
    await Promise.race([first.closed, second.closed]);
    expect(logged(/bytes of incomplete messages \(limit 1048576\)/)).toBe(true);
    first.socket.destroy();
    second.socket.destroy();
  });

  it('refuses connections past the cap with a log line, and serves again once some close', async () => {
    const open = await Promise.all(Array.from({ length: 8 }, () => rawSocket()));
    const extra = await rawSocket();
    await extra.closed;
    expect(logged(/connection refused because too many open connections/)).toBe(true);
    for (const { socket } of open) socket.destroy();
    await expect.poll(async () => (await client.db('admin').command({ ping: 1 })).ok, { timeout: 10_000 }).toBe(1);
  });
});

describe('cursors', () => {
  it('hands out random 64-bit ids that only the opening session can continue', async () => {
    const c = client.db('limits').collection('cursors');
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    const session = client.startSession();
    const first = await client.db('limits').command({ find: 'cursors', batchSize: 1 }, { session });
    const second = await client.db('limits').command({ find: 'cursors', batchSize: 1 }, { session });
    const [a, b] = [BigInt(first.cursor.id.toString()), BigInt(second.cursor.id.toString())];
    expect(a > 2n ** 32n || b > 2n ** 32n).toBe(true);
    expect(b - a === 1n).toBe(false);
    // Another session (the driver gives each command its own) may not continue or kill it.
    await expect(
      client.db('limits').command({ getMore: first.cursor.id, collection: 'cursors' }),
    ).rejects.toMatchObject({ code: 13 });
    const killed = await client.db('limits').command({ killCursors: 'cursors', cursors: [first.cursor.id] });
    expect(killed.cursorsNotFound).toHaveLength(1);
    const more = await client.db('limits').command({ getMore: first.cursor.id, collection: 'cursors' }, { session });
    expect(more.cursor.nextBatch).toHaveLength(9);
    await session.endSession();
  });
});

describe('clients it was not written for', () => {
  it('answers a legacy OP_QUERY on a collection with a failure reply, and ignores OP_KILL_CURSORS without closing', async () => {
    const { socket, replies, closed } = await rawSocket();
    let isClosed = false;
    void closed.then(() => (isClosed = true));
    const killCursors = Buffer.concat([
      header(32, 2007, 7),
      Buffer.alloc(4),
      Buffer.from([1, 0, 0, 0]),
      Buffer.alloc(8, 1),
    ]);
    const query: Document = { a: 1 };
    const queryDoc = Buffer.from(BSON.serialize(query));
    const ns = Buffer.from('limits.cursors\0');
    const legacyFind = Buffer.concat([
      header(16 + 4 + ns.length + 8 + queryDoc.length, 2004, 8),
      Buffer.alloc(4),
      ns,
      Buffer.alloc(8),
      queryDoc,
    ]);
    socket.write(Buffer.concat([killCursors, legacyFind, ping(9)]));
    await expect.poll(() => Buffer.concat(replies).length).toBeGreaterThan(0);
    await expect
      .poll(() => Buffer.concat(replies).indexOf(Buffer.from('ok')) >= 0 && countReplies(Buffer.concat(replies)) === 2)
      .toBe(true);
    const all = Buffer.concat(replies);
    expect(all.readInt32LE(8)).toBe(8); // the first reply answers the legacy find...
    expect(all.readInt32LE(12)).toBe(1); // ...as OP_REPLY
    expect(all.readInt32LE(16) & 2).toBe(2); // with QueryFailure set
    expect(all.subarray(all.readInt32LE(0)).readInt32LE(8)).toBe(9); // then the ping
    expect(isClosed).toBe(false);
    socket.destroy();
  });

  it('refuses a username and password with a clear error, not CommandNotFound', async () => {
    const withUser = new MongoClient(server.uri.replace('mongodb://', 'mongodb://ada:secret@'), {
      serverSelectionTimeoutMS: 3000,
    });
    const error = await withUser.connect().then(
      () => undefined,
      (e: Error) => e,
    );
    await withUser.close();
    expect(String(error?.message)).toMatch(/authentication is not supported by the embedded server/);
  });
});

function countReplies(bytes: Buffer): number {
  let n = 0;
  for (let at = 0; at + 4 <= bytes.length && at + bytes.readInt32LE(at) <= bytes.length; at += bytes.readInt32LE(at))
    n++;
  return n;
}
