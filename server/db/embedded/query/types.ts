/** $type: BSON type numbers and aliases, as mongod names them. */
import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  Decimal128,
  Double,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';
import { isPlainObject } from '../bson/compare';
import { isNumeric, numericKind, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';

const ALIASES: Record<string, number> = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
};

/** The BSON type number of a stored value. */
export function bsonTypeNumber(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 10;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 8;
  if (typeof value === 'number' || value instanceof Double) return numericKind(value) === 'int' ? 16 : 1;
  if (value instanceof Long) return 18;
  if (value instanceof Decimal128) return 19;
  if (Array.isArray(value)) return 4;
  if (isPlainObject(value)) return 3;
  if (value instanceof Date) return 9;
  if (value instanceof ObjectId) return 7;
  if (value instanceof Binary) return 5;
  if (value instanceof Timestamp) return 17;
  if (value instanceof BSONRegExp || value instanceof RegExp) return 11;
  if (value instanceof BSONSymbol) return 14;
  if (value instanceof Code) return value.scope ? 15 : 13;
  if (value instanceof MinKey) return -1;
  if (value instanceof MaxKey) return 127;
  return 3;
}

export function typeMatcher(spec: unknown): { test(value: unknown): boolean; expand: boolean } {
  const wanted = (Array.isArray(spec) ? spec : [spec]).map((entry) => {
    if (entry === 'number') return 'number' as const;
    if (typeof entry === 'string') {
      if (!(entry in ALIASES)) throw new CommandError('BadValue', `Unknown type name alias: ${entry}`);
      return ALIASES[entry]!;
    }
    if (isNumeric(entry)) return toNumber(entry);
    throw new CommandError('TypeMismatch', 'type must be represented as a number or a string');
  });
  return {
    test: (value) => {
      const type = bsonTypeNumber(value);
      return wanted.some((w) => (w === 'number' ? isNumeric(value) : w === type));
    },
    expand: true,
  };
}
