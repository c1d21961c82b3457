/**
 * Several requests in one TCP write: every one answered, in order, and a moreToCome request
 * not answered at all. Embedded server only: its framing and write batching are ours.
 */
import net from 'node:net';
import { BSON } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target, REAL_MONGODB } from './target';

const OP_MSG = 2013;
const MORE_TO_COME = 1 << 1;

let target: Target;

beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.stop();
});

function opMsg(requestId: number, command: object, flags = 0): Buffer {
  const doc = BSON.serialize(command);
  const message = Buffer.alloc(21 + doc.length);
  message.writeInt32LE(message.length, 0);
  message.writeInt32LE(requestId, 4);
  message.writeInt32LE(OP_MSG, 12);
  message.writeUInt32LE(flags, 16);
  message.set(doc, 21);
  return message;
}

/** Writes `bytes` at once and collects whole replies until `count` have arrived (or 1.5 s pass). */
function exchange(bytes: Buffer, count: number): Promise<Array<{ responseTo: number; reply: BSON.Document }>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(new URL(target.uri).port), '127.0.0.1');
    const replies: Array<{ responseTo: number; reply: BSON.Document }> = [];
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(), 1500);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(replies);
    };
    socket.on('error', reject);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 4 && received.length >= received.readInt32LE(0)) {
        const length = received.readInt32LE(0);
        replies.push({ responseTo: received.readInt32LE(8), reply: BSON.deserialize(received.subarray(21, length)) });
        received = received.subarray(length);
      }
      if (replies.length >= count) finish();
    });
  });
}

describe.runIf(!REAL_MONGODB)('pipelined requests', () => {
  it('answers each request of one write in order and leaves moreToCome ones unanswered', async () => {
    const db = target.db.databaseName;
    const bytes = Buffer.concat([
      opMsg(11, { ping: 1, $db: 'admin' }),
      opMsg(12, { insert: 'pipelined', documents: [{ _id: 1, name: 'quiet' }], $db: db }, MORE_TO_COME),
      opMsg(13, { count: 'pipelined', $db: db }),
    ]);
    // Wait for a third reply that must never come, so an answer to the moreToCome insert would show.
    const replies = await exchange(bytes, 3);
    expect(replies.map((r) => r.responseTo)).toEqual([11, 13]);
    expect(replies[0]!.reply).toMatchObject({ ok: 1 });
    expect(replies[1]!.reply).toMatchObject({ n: 1, ok: 1 });
  });
});
