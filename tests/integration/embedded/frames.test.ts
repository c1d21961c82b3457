/**
 * Malformed frames over a raw socket: each closes only its own connection, with a log line,
 * and the server goes on serving. Embedded server only: it is the one whose framing we wrote.
 */
import net from 'node:net';
import { BSON, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target, REAL_MONGODB } from './target';

let target: Target;
let bystander: MongoClient;
let port: number;

beforeAll(async () => {
  target = await openTarget();
  port = Number(new URL(target.uri).port);
  bystander = await target.connect({ maxPoolSize: 1 });
  await bystander.db('admin').command({ ping: 1 });
});
afterAll(async () => {
  await target?.stop();
});

function header(length: number, opCode: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(1, 4);
  head.writeInt32LE(0, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

function opMsg(section: Buffer): Buffer {
  const body = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), section]);
  return Buffer.concat([header(16 + body.length, 2013), body]);
}

/**
 * Sends bytes (optionally half-closing) and resolves with what the server did: closed the
 * connection, or sent a reply (the socket is then closed by us), or neither within 3 s.
 */
function send(bytes: Buffer, endAfter = false): Promise<{ closed: boolean; received: number }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const finish = (closed: boolean, received: number) => {
      clearTimeout(timer);
      socket.removeAllListeners('close');
      socket.destroy();
      resolve({ closed, received });
    };
    const timer = setTimeout(() => finish(false, 0), 3000);
    socket.on('data', (chunk) => finish(false, chunk.length));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true, 0));
    socket.on('connect', () => (endAfter ? socket.end(bytes) : socket.write(bytes)));
  });
}

async function serverStillServes(): Promise<void> {
  const fresh = new MongoClient(target.uri, { serverSelectionTimeoutMS: 3000 });
  try {
    await fresh.connect();
    expect(await fresh.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  } finally {
    await fresh.close();
  }
  expect(await bystander.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
}

const logged = (pattern: RegExp) => target.logs.some((line) => pattern.test(line));

describe.runIf(!REAL_MONGODB)('malformed frames', () => {
  it('answers a well-formed raw ping, so the cases below fail only for their flaw', async () => {
    const result = await send(opMsg(Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }))));
    expect(result).toEqual({ closed: false, received: expect.any(Number) });
    expect(result.received).toBeGreaterThan(16);
  });

  it('closes the connection on a length shorter than a header', async () => {
    expect((await send(header(8, 2013))).closed).toBe(true);
    expect(logged(/length 8 is too small/)).toBe(true);
    await serverStillServes();
  });

  it('survives a message truncated and then closed by the client', async () => {
    const whole = opMsg(Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' })));
    expect((await send(whole.subarray(0, whole.length - 7), true)).closed).toBe(true);
    await expect.poll(() => logged(/truncated message/)).toBe(true);
    await serverStillServes();
  });

  it('refuses a header announcing more than 48 MB without waiting for it', async () => {
    expect((await send(header(50_000_000, 2013))).closed).toBe(true);
    expect(logged(/exceeds 48000000 bytes/)).toBe(true);
    await serverStillServes();
  });

  it('closes the connection on an unknown opcode', async () => {
    expect((await send(Buffer.concat([header(26, 4242), Buffer.alloc(10)]))).closed).toBe(true);
    expect(logged(/unknown opcode 4242/)).toBe(true);
    await serverStillServes();
  });

  it('closes the connection on invalid BSON', async () => {
    // A 12-byte document whose only element has type 0x42, which BSON does not define.
    const bad = Buffer.from([12, 0, 0, 0, 0x42, 0x61, 0, 1, 2, 3, 4, 0]);
    expect((await send(opMsg(bad))).closed).toBe(true);
    expect(logged(/invalid BSON/)).toBe(true);
    await serverStillServes();
  });
});
