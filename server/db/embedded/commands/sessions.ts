/** Sessions the server has seen (a command's lsid), for $listLocalSessions; endSessions forgets them. */
import { createHash } from 'node:crypto';
import { Binary, type Document } from 'bson';
import { isPlainObject } from '../bson/compare';

/** More sessions than this and the least recently used are forgotten: the list cannot grow without bound. */
const MAX_SESSIONS = 10_000;
/** The uid mongod reports for sessions opened without authentication: the SHA-256 of the empty user name. */
const NO_USER = new Binary(createHash('sha256').update('').digest());

/** Last use in ms since the epoch: a Date is made only when $listLocalSessions asks. */
const seen = new Map<string, { id: Binary; lastUse: number }>();

/** A session's key (its id's bytes in hex, read in place), or undefined without an lsid. */
export function sessionKey(lsid: unknown): { key: string; id: Binary } | undefined {
  const id = isPlainObject(lsid) ? lsid.id : undefined;
  if (!(id instanceof Binary)) return undefined;
  const bytes = id.buffer;
  return { key: Buffer.from(bytes.buffer, bytes.byteOffset, id.position).toString('hex'), id };
}

/** Every command (but endSessions) marks its session used, most recent last. */
export function touchSession(session: { key: string; id: Binary }): void {
  const entry = seen.get(session.key);
  if (entry) {
    seen.delete(session.key);
    entry.lastUse = Date.now();
    seen.set(session.key, entry);
  } else {
    seen.set(session.key, { id: session.id, lastUse: Date.now() });
    if (seen.size > MAX_SESSIONS) seen.delete(seen.keys().next().value!);
  }
}

export function endSessions(lsids: unknown[]): void {
  for (const lsid of lsids) {
    const found = sessionKey(lsid);
    if (found) seen.delete(found.key);
  }
}

export function localSessions(): Document[] {
  return [...seen.values()].map(({ id, lastUse }) => ({ _id: { id, uid: NO_USER }, lastUse: new Date(lastUse) }));
}
