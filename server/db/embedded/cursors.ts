/**
 * Open cursors: the rest of a result set, handed out in batches by getMore.
 *
 * A batch stops before it would pass 16 MiB, like mongod's: the reply must stay under
 * maxBsonObjectSize (and BSON.serialize's own ~17 MB buffer) however large the batchSize.
 */
import { randomBytes } from 'node:crypto';
import { calculateObjectSize, type Document, Long } from 'bson';
import { CommandError } from './errors';

export const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
/** find and aggregate return 101 documents in their first batch unless told otherwise. */
export const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60_000;

interface OpenCursor {
  ns: string;
  /** The session (lsid) that opened it, or its connection when it had none: only it may use the cursor. */
  owner: string;
  docs: Document[];
  position: number;
  lastUsed: number;
}

export interface Batch {
  docs: Document[];
  /** BSON Long, 0 once the cursor is exhausted: the driver insists on a Long even for 0. */
  id: Long;
}

/** A random positive 64-bit id, so one client cannot guess another's cursor. */
function randomId(): bigint {
  let id = 0n;
  while (id === 0n) id = randomBytes(8).readBigInt64LE(0) & 0x7fffffffffffffffn;
  return id;
}

export class Cursors {
  private readonly open = new Map<bigint, OpenCursor>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** Takes the first batch of `docs`, keeping a cursor open for the rest if any remain. */
  first(ns: string, docs: Document[], batchSize = DEFAULT_FIRST_BATCH, singleBatch = false, owner = ''): Batch {
    const { batch, next } = takeBatch(docs, 0, batchSize);
    if (singleBatch || next >= docs.length) return { docs: batch, id: Long.ZERO };
    const id = randomId();
    this.open.set(id, { ns, owner, docs, position: next, lastUsed: Date.now() });
    return { docs: batch, id: Long.fromBigInt(id) };
  }

  more(id: bigint, ns: string, batchSize?: number, owner = ''): Batch {
    const cursor = this.open.get(id);
    if (!cursor) throw new CommandError('CursorNotFound', `cursor id ${id} not found`);
    if (cursor.owner !== owner)
      throw new CommandError('Unauthorized', `cursor id ${id} was not created by this session or connection`);
    if (cursor.ns !== ns) throw new CommandError('BadValue', `cursor id ${id} belongs to ${cursor.ns}, not ${ns}`);
    const { batch, next } = takeBatch(cursor.docs, cursor.position, batchSize || Infinity);
    cursor.position = next;
    cursor.lastUsed = Date.now();
    if (next >= cursor.docs.length) {
      this.open.delete(id);
      return { docs: batch, id: Long.ZERO };
    }
    return { docs: batch, id: Long.fromBigInt(id) };
  }

  /** 'killed', or 'notFound' for an unknown cursor or one another session owns. */
  kill(id: bigint, owner = ''): 'killed' | 'notFound' {
    const cursor = this.open.get(id);
    if (!cursor || cursor.owner !== owner) return 'notFound';
    this.open.delete(id);
    return 'killed';
  }

  /** Closes the cursors a connection owned when it goes away. */
  dropOwner(owner: string): void {
    for (const [id, cursor] of this.open) if (cursor.owner === owner) this.open.delete(id);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.open.clear();
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, cursor] of this.open) if (cursor.lastUsed < cutoff) this.open.delete(id);
  }
}

function takeBatch(docs: Document[], start: number, batchSize: number): { batch: Document[]; next: number } {
  const end = Math.min(docs.length, start + batchSize);
  // A single document always goes out alone (it is at most 16 MiB itself), so the common
  // findOne path skips measuring.
  if (end - start <= 1) return { batch: docs.slice(start, end), next: end };
  let bytes = 0;
  let at = start;
  while (at < end) {
    // Each array element also costs a type byte, its index as a key, and a NUL.
    bytes += calculateObjectSize(docs[at]!) + 8;
    if (bytes > MAX_BATCH_BYTES && at > start) break;
    at++;
  }
  return { batch: docs.slice(start, at), next: at };
}
