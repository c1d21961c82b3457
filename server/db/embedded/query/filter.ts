/**
 * Query filters compiled once into a predicate over stored documents, with mongod's rules:
 * BSON order with type bracketing, numbers compared by value, implicit array traversal, and
 * the index of the matched array element kept for the positional `$` of updates and projections.
 * An operator this server does not run is an error, never a filter that quietly matches wrongly.
 */
import type { Document } from 'bson';
import { activeCollator, compareValues, isPlainObject, matchKey, typeBracket, withCollator } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { evaluate, truthy, type Variables } from './expressions';
import { isRegex, regexTester } from './regex';
import { typeMatcher } from './types';

export interface MatchDetails {
  /** Position in the first array along the matched path: what the positional `$` refers to. */
  arrayIndex?: number;
}

export type Predicate = (doc: Document, details?: MatchDetails) => boolean;

/** A test of one value at the end of a path. */
interface Leaf {
  test(value: unknown): boolean;
  /** Also try each element when the value is an array (most operators; not $size or $exists). */
  expand: boolean;
  /** For $elemMatch: the matching element's index, or -1. */
  indexOf?(value: unknown): number;
}

const UNSUPPORTED = new Set([
  '$where',
  '$text',
  '$jsonSchema',
  '$near',
  '$nearSphere',
  '$geoWithin',
  '$geoIntersects',
  '$within',
  '$sampleRate',
]);

/** For the server's README: the query operators it runs and those it refuses. */
export const QUERY_OPERATORS = {
  supported: [
    '$eq',
    '$ne',
    '$gt',
    '$gte',
    '$lt',
    '$lte',
    '$in',
    '$nin',
    '$exists',
    '$type',
    '$size',
    '$mod',
    '$regex',
    '$options',
    '$all',
    '$elemMatch',
    '$not',
    '$and',
    '$or',
    '$nor',
    '$expr',
    '$comment',
  ],
  unsupported: [...UNSUPPORTED, '$bitsAllSet', '$bitsAnySet', '$bitsAllClear', '$bitsAnyClear'],
};

function unsupported(op: string): CommandError {
  return new CommandError('CommandNotSupported', `${op} is not supported by the embedded server`);
}

const isIndexPart = (part: string) => /^\d+$/.test(part);

function walk(
  value: unknown,
  parts: string[],
  at: number,
  leaf: Leaf,
  details: MatchDetails | undefined,
  pos: number | undefined,
): boolean {
  if (at === parts.length) {
    if (leaf.indexOf) {
      const j = leaf.indexOf(value);
      if (j < 0) return false;
      if (details && details.arrayIndex === undefined) details.arrayIndex = pos ?? j;
      return true;
    }
    if (leaf.test(value)) {
      if (details && details.arrayIndex === undefined && pos !== undefined) details.arrayIndex = pos;
      return true;
    }
    if (leaf.expand && Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) {
        if (!leaf.test(value[j])) continue;
        if (details && details.arrayIndex === undefined) details.arrayIndex = pos ?? j;
        return true;
      }
    }
    return false;
  }
  const part = parts[at]!;
  if (Array.isArray(value)) {
    if (isIndexPart(part)) {
      const element = value[Number(part)];
      if (element !== undefined && walk(element, parts, at + 1, leaf, details, pos)) return true;
    }
    for (let j = 0; j < value.length; j++) {
      const element = value[j];
      if (isPlainObject(element) && walk(element, parts, at, leaf, details, pos ?? j)) return true;
    }
    return false;
  }
  if (isPlainObject(value)) return walk(value[part], parts, at + 1, leaf, details, pos);
  return walk(undefined, parts, parts.length, leaf, details, pos);
}

function fieldPredicate(path: string, leaf: Leaf): Predicate {
  const parts = path.split('.');
  if (parts.length === 1 && !leaf.indexOf) {
    // The common case, a top-level field: no path walk.
    return (doc, details) => {
      const value = doc[path];
      if (leaf.test(value)) return true;
      if (!leaf.expand || !Array.isArray(value)) return false;
      for (let j = 0; j < value.length; j++) {
        if (!leaf.test(value[j])) continue;
        if (details && details.arrayIndex === undefined) details.arrayIndex = j;
        return true;
      }
      return false;
    };
  }
  return (doc, details) => walk(doc, parts, 0, leaf, details, undefined);
}

function equalityLeaf(target: unknown): Leaf {
  if (target === null) return { test: (v) => v === null || v === undefined, expand: true };
  if (typeof target === 'string' && !activeCollator()) return { test: (v) => v === target, expand: true };
  const bracket = typeBracket(target);
  return { test: (v) => typeBracket(v) === bracket && compareValues(v, target) === 0, expand: true };
}

function regexLeaf(value: unknown, options?: string): Leaf {
  const matches = regexTester(value, options);
  const asValue = isRegex(value) ? equalityLeaf(value) : undefined;
  return { test: (v) => (typeof v === 'string' && matches(v)) || (asValue?.test(v) ?? false), expand: true };
}

function inLeaf(values: unknown, op: string): Leaf {
  if (!Array.isArray(values)) throw new CommandError('BadValue', `${op} needs an array`);
  const keys = new Set<string>();
  const regexes: Leaf[] = [];
  for (const value of values) {
    if (isRegex(value)) regexes.push(regexLeaf(value));
    else if (isPlainObject(value) && Object.keys(value)[0]?.startsWith('$'))
      throw new CommandError('BadValue', `cannot nest $ under ${op}`);
    else keys.add(matchKey(value));
  }
  return {
    test: (v) => keys.has(matchKey(v)) || regexes.some((r) => r.test(v)) || (v === undefined && keys.has('null')),
    expand: true,
  };
}

function comparisonLeaf(target: unknown, accept: (order: number) => boolean): Leaf {
  const bracket = typeBracket(target);
  return { test: (v) => typeBracket(v) === bracket && accept(compareValues(v, target)), expand: true };
}

function numberArg(value: unknown, op: string): number {
  if (!isNumeric(value)) throw new CommandError('BadValue', `${op} needs a number`);
  return toNumber(value);
}

const not =
  (p: Predicate): Predicate =>
  (doc) =>
    !p(doc);
const all = (ps: Predicate[]): Predicate =>
  ps.length === 1 ? ps[0]! : (doc, details) => ps.every((p) => p(doc, details));

/** One `field: { $op: value, ... }` group: every operator must hold. */
function operatorPredicate(path: string, spec: Record<string, unknown>, vars: Variables): Predicate {
  const parts: Predicate[] = [];
  const leaf = (l: Leaf) => parts.push(fieldPredicate(path, l));
  for (const [op, arg] of Object.entries(spec)) {
    switch (op) {
      case '$eq':
        leaf(equalityLeaf(arg));
        break;
      case '$ne':
        parts.push(not(fieldPredicate(path, equalityLeaf(arg))));
        break;
      case '$gt':
        leaf(comparisonLeaf(arg, (o) => o > 0));
        break;
      case '$gte':
        leaf(comparisonLeaf(arg, (o) => o >= 0));
        break;
      case '$lt':
        leaf(comparisonLeaf(arg, (o) => o < 0));
        break;
      case '$lte':
        leaf(comparisonLeaf(arg, (o) => o <= 0));
        break;
      case '$in':
        leaf(inLeaf(arg, op));
        break;
      case '$nin':
        parts.push(not(fieldPredicate(path, inLeaf(arg, op))));
        break;
      case '$exists': {
        const exists = fieldPredicate(path, { test: (v) => v !== undefined, expand: false });
        parts.push(truthy(arg) ? exists : not(exists));
        break;
      }
      case '$type':
        leaf(typeMatcher(arg));
        break;
      case '$size': {
        const n = numberArg(arg, op);
        leaf({ test: (v) => Array.isArray(v) && v.length === n, expand: false });
        break;
      }
      case '$mod': {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new CommandError('BadValue', 'malformed mod, needs to be an array of [divisor, remainder]');
        const divisor = Math.trunc(numberArg(arg[0], op));
        const remainder = Math.trunc(numberArg(arg[1], op));
        if (divisor === 0) throw new CommandError('BadValue', 'divisor cannot be 0');
        leaf({ test: (v) => isNumeric(v) && Math.trunc(toNumber(v)) % divisor === remainder, expand: true });
        break;
      }
      case '$regex':
        leaf(regexLeaf(arg, typeof spec.$options === 'string' ? spec.$options : ''));
        break;
      case '$options':
        if (!('$regex' in spec)) throw new CommandError('BadValue', '$options needs a $regex');
        break;
      case '$all': {
        if (!Array.isArray(arg)) throw new CommandError('BadValue', '$all needs an array');
        if (arg.length === 0) parts.push(() => false);
        for (const value of arg) {
          const elem = isPlainObject(value) && '$elemMatch' in value ? value.$elemMatch : undefined;
          leaf(
            elem !== undefined ? elemMatchLeaf(elem, vars) : isRegex(value) ? regexLeaf(value) : equalityLeaf(value),
          );
        }
        break;
      }
      case '$elemMatch':
        leaf(elemMatchLeaf(arg, vars));
        break;
      case '$not': {
        if (isRegex(arg)) parts.push(not(fieldPredicate(path, regexLeaf(arg))));
        else if (isPlainObject(arg) && Object.keys(arg).length > 0 && Object.keys(arg).every((k) => k.startsWith('$')))
          parts.push(not(operatorPredicate(path, arg, vars)));
        else throw new CommandError('BadValue', '$not needs a regex or a document');
        break;
      }
      case '$comment':
        break;
      default:
        if (UNSUPPORTED.has(op) || op.startsWith('$bits')) throw unsupported(op);
        throw new CommandError('BadValue', `unknown operator: ${op}`);
    }
  }
  return all(parts);
}

function elemMatchLeaf(spec: unknown, vars: Variables): Leaf {
  if (!isPlainObject(spec)) throw new CommandError('BadValue', '$elemMatch needs an Object');
  const keys = Object.keys(spec);
  const valueForm =
    keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor', '$expr', '$where'].includes(k));
  const test: (element: unknown) => boolean = valueForm
    ? (
        (p) => (element: unknown) =>
          p({ v: element })
      )(operatorPredicate('v', spec, vars))
    : (
        (p) => (element: unknown) =>
          isPlainObject(element) && p(element)
      )(compileFilter(spec, vars));
  return {
    test: () => false,
    expand: false,
    indexOf: (value) => (Array.isArray(value) ? value.findIndex(test) : -1),
  };
}

function logical(op: string, arg: unknown, vars: Variables): Predicate[] {
  if (!Array.isArray(arg) || arg.length === 0) throw new CommandError('BadValue', `${op} must be a nonempty array`);
  return arg.map((sub) => {
    if (!isPlainObject(sub)) throw new CommandError('BadValue', `${op} argument's entries must be objects`);
    return compileFilter(sub, vars);
  });
}

/**
 * Compiles a filter document; throws mongod's error for a malformed or unsupported one. Under a
 * collation the predicate keeps it wherever it later runs (a yielding scan, a later getMore).
 */
export function compileFilter(filter: Document, vars: Variables = {}): Predicate {
  const test = compileFilterParts(filter, vars);
  const collator = activeCollator();
  return collator ? (doc, details) => withCollator(collator, () => test(doc, details)) : test;
}

function compileFilterParts(filter: Document, vars: Variables): Predicate {
  const parts: Predicate[] = [];
  for (const [key, condition] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      switch (key) {
        case '$and':
          parts.push(all(logical(key, condition, vars)));
          break;
        case '$or': {
          const subs = logical(key, condition, vars);
          parts.push((doc, details) => subs.some((p) => p(doc, details)));
          break;
        }
        case '$nor': {
          const subs = logical(key, condition, vars);
          parts.push((doc) => !subs.some((p) => p(doc)));
          break;
        }
        case '$expr':
          parts.push((doc) => truthy(evaluate(condition, doc, { ...vars, ROOT: doc })));
          break;
        case '$comment':
          break;
        case '$alwaysTrue':
          break;
        case '$alwaysFalse':
          parts.push(() => false);
          break;
        default:
          if (UNSUPPORTED.has(key)) throw unsupported(key);
          throw new CommandError('BadValue', `unknown top level operator: ${key}`);
      }
      continue;
    }
    if (isPlainObject(condition)) {
      const ops = Object.keys(condition);
      if (ops.length > 0 && ops[0]!.startsWith('$')) {
        parts.push(operatorPredicate(key, condition, vars));
        continue;
      }
    }
    parts.push(fieldPredicate(key, isRegex(condition) ? regexLeaf(condition) : equalityLeaf(condition)));
  }
  if (parts.length === 0) return () => true;
  return all(parts);
}
