/**
 * Type checks for command fields, answering like mongod:
 * "BSON field 'find.filter' is the wrong type 'int', expected type 'object'" (TypeMismatch).
 */
import type { Document } from 'bson';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { bsonTypeName, isPlainObject } from '../values';

type Kind = 'object' | 'array' | 'string' | 'number' | 'bool';

const checks: Record<Kind, (value: unknown) => boolean> = {
  object: isPlainObject,
  array: Array.isArray,
  string: (v) => typeof v === 'string',
  number: isNumeric,
  bool: (v) => typeof v === 'boolean' || isNumeric(v),
};

interface KindMap {
  object: Document;
  array: unknown[];
  string: string;
  number: number;
  bool: boolean;
}

function check<K extends Kind>(owner: string, field: string, value: unknown, kind: K): KindMap[K] {
  if (!checks[kind](value)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${owner}.${field}' is the wrong type '${bsonTypeName(value)}', expected type '${kind}'`,
    );
  }
  if (kind === 'number') return toNumber(value) as KindMap[K];
  if (kind === 'bool') return (typeof value === 'boolean' ? value : toNumber(value) !== 0) as KindMap[K];
  return value as KindMap[K];
}

/** The field if present (null counts as absent, as mongod does for optional fields). */
export function optional<K extends Kind>(doc: Document, owner: string, field: string, kind: K): KindMap[K] | undefined {
  const value = doc[field];
  return value === undefined || value === null ? undefined : check(owner, field, value, kind);
}

export function required<K extends Kind>(doc: Document, owner: string, field: string, kind: K): KindMap[K] {
  if (doc[field] === undefined)
    throw new CommandError('FailedToParse', `BSON field '${owner}.${field}' is missing but a required field`);
  return check(owner, field, doc[field], kind);
}

/** A non-negative whole number, e.g. limit, skip, batchSize. */
export function count(doc: Document, owner: string, field: string): number | undefined {
  const value = optional(doc, owner, field, 'number');
  if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
    throw new CommandError('BadValue', `BSON field '${owner}.${field}' value must be >= 0, actual value '${value}'`);
  }
  return value;
}

/** The collection a command names as its first field's value. */
export function collectionName(cmd: Document, commandName: string): string {
  const name = cmd[commandName];
  if (typeof name !== 'string') {
    throw new CommandError('InvalidNamespace', `collection name has invalid type ${bsonTypeName(name)}`);
  }
  if (name === '' || name.includes('\0') || name.startsWith('$') || name.startsWith('.')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name: '${name}'`);
  }
  return name;
}
