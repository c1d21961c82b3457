/**
 * MongoDB's BSON comparison order: first by type bracket (MinKey < null < numbers < strings <
 * objects < arrays < binData < ObjectId < bool < Date < Timestamp < regex < MaxKey), then by
 * value within a bracket, with numbers of every width compared by value.
 */
import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import { compareNumbers, isNumeric, numberKey } from './numbers';

const plainProto = Object.prototype;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === plainProto || proto === null;
}

/** The bracket a value sorts in; values of different brackets never compare equal. */
export function typeBracket(value: unknown): number {
  if (value === undefined || value === null) return 5;
  switch (typeof value) {
    case 'number':
      return 10;
    case 'string':
      return 15;
    case 'boolean':
      return 40;
    case 'bigint':
      return 10;
  }
  if (isPlainObject(value)) return 20;
  if (Array.isArray(value)) return 25;
  if (isNumeric(value)) return 10;
  if (value instanceof Date) return 45;
  if (value instanceof ObjectId) return 35;
  if (value instanceof Binary) return 30;
  if (value instanceof Timestamp) return 47;
  if (value instanceof BSONRegExp || value instanceof RegExp) return 50;
  if (value instanceof BSONSymbol) return 15;
  if (value instanceof MinKey) return 1;
  if (value instanceof MaxKey) return 100;
  if (value instanceof DBRef) return 20;
  if (value instanceof Code) return 60;
  return 20;
}

const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A non-simple collation: how strings compare, and a key equal for strings it treats as equal.
 * It is active for the duration of withCollator(); index keys (indexKey) never use it.
 */
export interface Collator {
  compare(a: string, b: string): number;
  key(s: string): string;
}

let active: Collator | undefined;

export function activeCollator(): Collator | undefined {
  return active;
}

export function withCollator<T>(collator: Collator | undefined, run: () => T): T {
  if (collator === active) return run();
  const previous = active;
  active = collator;
  try {
    return run();
  } finally {
    active = previous;
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return cmp(a.length, b.length);
}

function regexParts(value: unknown): [string, string] {
  if (value instanceof BSONRegExp) return [value.pattern, value.options];
  const re = value as RegExp;
  return [re.source, re.flags];
}

function stringOf(value: unknown): string {
  return value instanceof BSONSymbol ? value.valueOf() : (value as string);
}

function compareObjects(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const va = a[ka[i]!];
    const vb = b[kb[i]!];
    const byType = typeBracket(va) - typeBracket(vb);
    if (byType !== 0) return Math.sign(byType);
    const byName = cmp(ka[i]!, kb[i]!);
    if (byName !== 0) return byName;
    const byValue = compareValues(va, vb);
    if (byValue !== 0) return byValue;
  }
  return cmp(ka.length, kb.length);
}

/** -1, 0 or 1 in MongoDB's order; undefined (a missing field) sorts as null. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = typeBracket(a);
  const tb = typeBracket(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case 5:
    case 1:
    case 100:
      return 0;
    case 10:
      return compareNumbers(a, b);
    case 15:
      return active ? Math.sign(active.compare(stringOf(a), stringOf(b))) : cmp(stringOf(a), stringOf(b));
    case 20:
      return compareObjects(a as Record<string, unknown>, b as Record<string, unknown>);
    case 25: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i]);
        if (c !== 0) return c;
      }
      return cmp(xa.length, xb.length);
    }
    case 30: {
      const ba = a as Binary;
      const bb = b as Binary;
      return (
        cmp(ba.position, bb.position) ||
        cmp(ba.sub_type, bb.sub_type) ||
        compareBytes(ba.buffer.subarray(0, ba.position), bb.buffer.subarray(0, bb.position))
      );
    }
    case 35:
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case 40:
      return cmp(Number(a), Number(b));
    case 45:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 47: {
      const x = a as Timestamp;
      const y = b as Timestamp;
      return cmp(x.t, y.t) || cmp(x.i, y.i);
    }
    case 50: {
      const [pa, fa] = regexParts(a);
      const [pb, fb] = regexParts(b);
      return cmp(pa, pb) || cmp(fa, fb);
    }
    default:
      return cmp(String(a), String(b));
  }
}

export const valuesEqual = (a: unknown, b: unknown) => compareValues(a, b) === 0;

/**
 * A string equal for two values exactly when MongoDB's equality treats them as equal, so it
 * can key a Map (indexes, $group, distinct): numbers of every width by value.
 */
export function valueKey(value: unknown, collator?: Collator): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return collator ? `s:${collator.key(value)}` : `s:${value}`;
    case 'number':
      return Number.isInteger(value) && Math.abs(value) < 1e21 ? `n:${value}` : `n:${numberKey(value)}`;
    case 'boolean':
      return value ? 'b:1' : 'b:0';
  }
  if (value instanceof ObjectId) return `o:${value.toHexString()}`;
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (isNumeric(value)) return `n:${numberKey(value)}`;
  if (Array.isArray(value)) return `a:[${value.map((v) => valueKey(v, collator)).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${valueKey(value[k], collator)}`)
      .join(',')}}`;
  if (value instanceof Binary)
    return `x:${value.sub_type}:${Buffer.from(value.buffer.subarray(0, value.position)).toString('base64')}`;
  if (value instanceof Timestamp) return `t:${value.toString()}`;
  if (value instanceof BSONRegExp || value instanceof RegExp) return `r:${regexParts(value).join('/')}`;
  if (value instanceof MinKey) return 'min';
  if (value instanceof MaxKey) return 'max';
  if (value instanceof BSONSymbol) return collator ? `s:${collator.key(value.valueOf())}` : `s:${value.valueOf()}`;
  return `?:${String(value)}`;
}

/** valueKey under the active collation: for equality sets ($in, $group, distinct), never for indexes. */
export function matchKey(value: unknown): string {
  return valueKey(value, active);
}
