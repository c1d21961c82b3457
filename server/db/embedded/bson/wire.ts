/**
 * Reading BSON so that every value keeps its type: int64 stays a Long, a whole double stays
 * a Double, a regex keeps flags JavaScript does not know (x, s, u) and patterns it cannot
 * parse ((?i), \A), because the server, not the JS RegExp constructor, decides what they mean.
 */
import { BSON, type Document, Double, Int32 } from 'bson';
import { isPlainObject } from './compare';
import { double } from './numbers';

const OPTIONS = { promoteValues: false, bsonRegExp: true } as const;

/** Int32 becomes a plain number and a fractional double a plain number: both write back the same. */
function normalize(value: unknown): unknown {
  if (value instanceof Int32) return value.value;
  if (value instanceof Double) return double(value.value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i]);
    return value;
  }
  if (isPlainObject(value)) {
    for (const key in value) value[key] = normalize(value[key]);
    return value;
  }
  return value;
}

export function decodeDocument(bytes: Uint8Array): Document {
  return normalize(BSON.deserialize(bytes, OPTIONS)) as Document;
}
