/** Helpers for BSON values: index keys, copies, and mongod-style type names. */
import { Binary, BSONRegExp, Decimal128, type Document, Double, Long, ObjectId, Timestamp } from 'bson';
import { isPlainObject, valueKey } from './bson/compare';
import { numericKind } from './bson/numbers';

/** A Map key shared by values MongoDB's equality treats as equal (numbers by value). */
export const indexKey = (value: unknown): string => valueKey(value);

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
  if (typeof value === 'number' || value instanceof Double) return numericKind(value)!;
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Long) return 'long';
  if (value instanceof Decimal128) return 'decimal';
  if (value instanceof Binary) return 'binData';
  if (value instanceof Timestamp) return 'timestamp';
  if (value instanceof RegExp || value instanceof BSONRegExp) return 'regex';
  return 'object';
}

export { isPlainObject };
