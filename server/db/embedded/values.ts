/** Helpers for BSON values: index keys, copies, and mongod-style type names. */
import { Binary, Decimal128, type Document, EJSON, Long, ObjectId, Timestamp } from 'bson';

/**
 * A string that is equal for two values exactly when MongoDB's equality match treats them
 * as equal, so it can key a Map. Numbers of every BSON width compare by value, as in mongod.
 */
export function indexKey(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return `s:${value}`;
    case 'number':
      return `n:${value}`;
    case 'bigint':
      return `n:${value}`;
    case 'boolean':
      return value ? 'b:1' : 'b:0';
  }
  if (value instanceof ObjectId) return `o:${value.toHexString()}`;
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (value instanceof Long) return `n:${value.toNumber()}`;
  if (value instanceof Decimal128) return `n:${Number(value.toString())}`;
  return `j:${EJSON.stringify(value as Document, { relaxed: false })}`;
}

/** True for a value an index stores directly (not a sub-document to recurse into). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep copy of a document. structuredClone would turn ObjectId, Long, Binary... into plain
 * objects, so BSON values are kept (they are immutable) and only objects, arrays and dates copied.
 */
export function cloneDoc<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) copy[key] = cloneDoc(value[key]);
    return copy as T;
  }
  return value;
}

/** The value at a dotted path, or undefined. Arrays are not traversed (see indexValues). */
export function getPath(doc: Document, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** The values an index stores for one field: array elements are indexed one by one (multikey). */
export function indexValues(doc: Document, path: string): unknown[] {
  const value = getPath(doc, path);
  if (Array.isArray(value)) return value.length === 0 ? [undefined] : value;
  return [value];
}

/** mongod's name for a value's BSON type, for "wrong type" messages. */
export function bsonTypeName(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Long) return 'long';
  if (value instanceof Decimal128) return 'decimal';
  if (value instanceof Binary) return 'binData';
  if (value instanceof Timestamp) return 'timestamp';
  if (value instanceof RegExp) return 'regex';
  return 'object';
}

export { isPlainObject };
