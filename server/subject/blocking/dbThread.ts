/**
 * A database thread: owns a MongoClient and runs operations for the main thread. Used by
 * the blocking facade (one thread; the main thread sleeps on `signal` until the reply)
 * and by the executor (N threads; the main thread awaits the reply message).
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { clientOptions } from '../data/clientOptions';
import { describeDbError } from '../data/errors';
import { monitorClient } from '../data/monitor';
import { renewingClient } from '../data/renewingClient';
import { runOperation } from '../data/operations';
import { type DbRequest, type DbResponse, type DbThreadData, decodeArgs, encodeValue } from './protocol';

const data = workerData as DbThreadData & { port: MessagePort };
const signal = data.signal ? new Int32Array(data.signal) : null;
const poolGauge = new Int32Array(data.poolGauge);
const sentAt = new Map<string, number>();

const client = renewingClient(data.uri, clientOptions(data.client), data.dbName, (made) =>
  monitorClient(made, {
    sent: (comment, t) => {
      if (!sentAt.has(comment)) sentAt.set(comment, t);
    },
    pool: (inUse, waiting) => {
      Atomics.add(poolGauge, 0, inUse);
      Atomics.add(poolGauge, 1, waiting);
    },
  }),
);

/** Answers one request; failures become an error reply, so the promise never rejects. */
async function answer(request: DbRequest): Promise<void> {
  let response: DbResponse;
  try {
    const value = await client.run((db) => runOperation(db, request.op, decodeArgs(request.args), request.comment));
    response = { seq: request.seq, ok: true, value: encodeValue(value) };
  } catch (error) {
    response = { seq: request.seq, ok: false, error: describeDbError(error) };
  }
  const sent = sentAt.get(request.comment);
  sentAt.delete(request.comment);
  if (sent !== undefined) response.sentAt = sent;
  // Post first, then wake: the reply must already be on the port when the main thread looks.
  data.port.postMessage(response);
  if (signal) {
    Atomics.store(signal, 0, request.seq);
    Atomics.notify(signal, 0);
  }
}

data.port.on('message', (request: DbRequest) => void answer(request));

// Ready means connected: the pool's standing connections are open before the first call.
// A database that is down now must not keep the thread from starting. (No top-level await:
// the compiled thread is a CommonJS script, so that threadBoot.cjs can start it from V8's code cache.)
void client
  .run((db) => runOperation(db, 'ping', [data.client.minPoolSize ?? data.client.poolSize], 'warm'))
  .catch(() => undefined)
  .then(() => parentPort?.postMessage('ready'));
