/**
 * Messages between the subject's main thread and a database thread. Arguments and
 * results travel as BSON bytes: structuredClone would turn an ObjectId into a plain
 * object, BSON keeps every MongoDB type (ObjectId, Date, Decimal128) intact.
 */
import { BSON } from 'mongodb';
import type { ClientSettings } from '../data/clientOptions';
import type { DbErrorInfo } from '../data/errors';
import type { OperationName } from '../data/operations';

export interface DbThreadData {
  /** Where workerBoot.mjs finds this thread's TypeScript entry. */
  entry: string;
  uri: string;
  dbName: string;
  client: ClientSettings;
  /** Blocking facade only: Int32Array[1], the seq of the last reply, for Atomics.wait. */
  signal: SharedArrayBuffer | null;
  /** Int32Array[2]: pool connections in use and checkouts waiting, shared with the sampler. */
  poolGauge: SharedArrayBuffer;
}

export interface DbRequest {
  seq: number;
  op: OperationName;
  args: Uint8Array;
  /** The request id, sent as the command's comment. */
  comment: string;
}

export type DbResponse =
  | { seq: number; ok: true; value: Uint8Array; sentAt?: number }
  | { seq: number; ok: false; error: DbErrorInfo; sentAt?: number };

export const encodeArgs = (args: unknown[]): Uint8Array => BSON.serialize({ args });
export const decodeArgs = (bytes: Uint8Array): unknown[] => BSON.deserialize(bytes).args as unknown[];
export const encodeValue = (value: unknown): Uint8Array => BSON.serialize({ value });
export const decodeValue = (bytes: Uint8Array): unknown => BSON.deserialize(bytes).value as unknown;
