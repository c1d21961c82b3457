/** Sessions the server has seen (a command's lsid), for $listLocalSessions; endSessions forgets them. */
import { createHash } from 'node:crypto';
import { Binary, type Document } from 'bson';
import { isPlainObject } from '../bson/compare';

/** More sessions than this and the least recently used are forgotten: the list cannot grow without bound. */
const MAX_SESSIONS = 10_000;
/** The uid mongod reports for sessions opened without authentication: the SHA-256 of the empty user name. */
const NO_USER = new Binary(createHash('sha256').update('').digest());

const seen = new Map<string, { id: Binary; lastUse: Date }>();

function keyOf(lsid: unknown): { key: string; id: Binary } | undefined {
  const id = isPlainObject(lsid) ? lsid.id : undefined;
  if (!(id instanceof Binary)) return undefined;
  return { key: Buffer.from(id.buffer.subarray(0, id.position)).toString('hex'), id };
}

export function touchSession(lsid: unknown): void {
  const found = keyOf(lsid);
  if (!found) return;
  seen.delete(found.key);
  seen.set(found.key, { id: found.id, lastUse: new Date() });
  if (seen.size > MAX_SESSIONS) seen.delete(seen.keys().next().value!);
}

export function endSessions(lsids: unknown[]): void {
  for (const lsid of lsids) {
    const found = keyOf(lsid);
    if (found) seen.delete(found.key);
  }
}

export function localSessions(): Document[] {
  return [...seen.values()].map(({ id, lastUse }) => ({ _id: { id, uid: NO_USER }, lastUse }));
}
