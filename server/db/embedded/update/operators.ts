/**
 * Update operators over a copy of the document, with mongod's type rules: $inc and $mul promote
 * (int32 overflow to int64, anything with a decimal to decimal), $min/$max compare in BSON order.
 */
import { type Document, Long, Timestamp } from 'bson';
import { compareValues, isPlainObject } from '../bson/compare';
import { addNumbers, isNumeric, multiplyNumbers, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { compileFilter } from '../query/filter';
import { sortDocuments } from '../query/sort';
import { bsonTypeName } from '../values';
import { getAt, setAt, unsetAt } from './paths';

/** Applies one operator's value at one concrete path; returns nothing, mutates `doc`. */
export type OperatorFn = (doc: Document, parts: string[], arg: unknown, inserting: boolean) => void;

function notNumeric(op: string, parts: string[], current: unknown, doc: Document): CommandError {
  return new CommandError(
    'TypeMismatch',
    `Cannot apply ${op} to a value of non-numeric type. {_id: ${String(doc._id)}} has the field '${parts.at(-1)}' of non-numeric type ${bsonTypeName(current)}`,
  );
}

function arithmetic(op: '$inc' | '$mul', combine: (a: unknown, b: unknown) => unknown): OperatorFn {
  return (doc, parts, arg) => {
    if (!isNumeric(arg))
      throw new CommandError(
        'TypeMismatch',
        `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${parts.join('.')}: ${String(arg)}}`,
      );
    const current = getAt(doc, parts);
    if (current === undefined) return setAt(doc, parts, op === '$inc' ? arg : multiplyNumbers(0, arg));
    if (!isNumeric(current)) throw notNumeric(op, parts, current, doc);
    setAt(doc, parts, combine(current, arg));
  };
}

function arrayAt(doc: Document, parts: string[], op: string): unknown[] | undefined {
  const current = getAt(doc, parts);
  if (current === undefined) return undefined;
  if (!Array.isArray(current)) {
    throw new CommandError(
      'BadValue',
      `The field '${parts.join('.')}' must be an array but is of type ${bsonTypeName(current)} in document {_id: ${String(doc._id)}} (${op})`,
    );
  }
  return current;
}

function pushEach(arg: unknown): { each: unknown[]; position?: number; slice?: number; sort?: unknown } {
  if (!isPlainObject(arg) || !('$each' in arg)) return { each: [arg] };
  for (const key of Object.keys(arg)) {
    if (!['$each', '$slice', '$sort', '$position'].includes(key))
      throw new CommandError('BadValue', `Unrecognized clause in $push: ${key}`);
  }
  if (!Array.isArray(arg.$each))
    throw new CommandError(
      'BadValue',
      `The argument to $each in $push must be an array but it was of type: ${bsonTypeName(arg.$each)}`,
    );
  const int = (name: string) => {
    const v = arg[name];
    if (v === undefined) return undefined;
    if (!isNumeric(v) || !Number.isInteger(toNumber(v)))
      throw new CommandError('BadValue', `The value for ${name} must be an integer value`);
    return toNumber(v);
  };
  return { each: arg.$each, position: int('$position'), slice: int('$slice'), sort: arg.$sort };
}

function sortElements(values: unknown[], spec: unknown): unknown[] {
  if (isNumeric(spec)) {
    const direction = toNumber(spec);
    if (direction !== 1 && direction !== -1)
      throw new CommandError('BadValue', 'The $sort element value must be either 1 or -1');
    return [...values].sort((a, b) => compareValues(a, b) * direction);
  }
  if (!isPlainObject(spec))
    throw new CommandError(
      'BadValue',
      'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
    );
  const docs = values.map((v) => (isPlainObject(v) ? v : {}));
  const order = sortDocuments(docs, spec);
  return order.map((d) => values[docs.indexOf(d)]);
}

function pullTest(condition: unknown): (element: unknown) => boolean {
  if (isPlainObject(condition)) {
    const keys = Object.keys(condition);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$') && !['$and', '$or', '$nor'].includes(k))) {
      const p = compileFilter({ v: condition });
      return (element) => p({ v: element });
    }
    const p = compileFilter(condition);
    return (element) => isPlainObject(element) && p(element);
  }
  const p = compileFilter({ v: condition });
  return (element) => !Array.isArray(element) && p({ v: element });
}

function bitwise(doc: Document, parts: string[], arg: unknown): void {
  if (!isPlainObject(arg)) throw new CommandError('BadValue', '$bit needs an object of and/or/xor');
  let current = getAt(doc, parts) ?? 0;
  if (!(typeof current === 'number' || current instanceof Long)) throw notNumeric('$bit', parts, current, doc);
  for (const [how, operand] of Object.entries(arg)) {
    if (!(typeof operand === 'number' && Number.isInteger(operand)) && !(operand instanceof Long))
      throw new CommandError('BadValue', '$bit operands must be int or long');
    const wide = current instanceof Long || operand instanceof Long;
    const a = current instanceof Long ? current.toBigInt() : BigInt(current as number);
    const b = operand instanceof Long ? operand.toBigInt() : BigInt(operand);
    const r = how === 'and' ? a & b : how === 'or' ? a | b : how === 'xor' ? a ^ b : undefined;
    if (r === undefined)
      throw new CommandError('BadValue', `The $bit modifier only supports 'and', 'or', and 'xor', not '${how}'`);
    current = wide ? Long.fromBigInt(BigInt.asIntN(64, r)) : Number(BigInt.asIntN(32, r));
  }
  setAt(doc, parts, current);
}

export const OPERATORS: Record<string, OperatorFn> = {
  $set: (doc, parts, arg) => setAt(doc, parts, arg),
  $setOnInsert: (doc, parts, arg, inserting) => {
    if (inserting) setAt(doc, parts, arg);
  },
  $unset: (doc, parts) => unsetAt(doc, parts),
  $inc: arithmetic('$inc', addNumbers),
  $mul: arithmetic('$mul', multiplyNumbers),
  $min: (doc, parts, arg) => {
    const current = getAt(doc, parts);
    if (current === undefined || compareValues(arg, current) < 0) setAt(doc, parts, arg);
  },
  $max: (doc, parts, arg) => {
    const current = getAt(doc, parts);
    if (current === undefined || compareValues(arg, current) > 0) setAt(doc, parts, arg);
  },
  $currentDate: (doc, parts, arg) => {
    const type = isPlainObject(arg) ? arg.$type : arg === true ? 'date' : undefined;
    if (type !== 'date' && type !== 'timestamp')
      throw new CommandError('BadValue', "$currentDate takes true or {$type: 'date' | 'timestamp'}");
    const now = Date.now();
    setAt(doc, parts, type === 'date' ? new Date(now) : new Timestamp({ t: Math.floor(now / 1000), i: 1 }));
  },
  $push: (doc, parts, arg) => {
    const { each, position, slice, sort } = pushEach(arg);
    let values = [...(arrayAt(doc, parts, '$push') ?? [])];
    const at =
      position === undefined
        ? values.length
        : position < 0
          ? Math.max(0, values.length + position)
          : Math.min(position, values.length);
    values.splice(at, 0, ...each);
    if (sort !== undefined) values = sortElements(values, sort);
    if (slice !== undefined)
      values = slice >= 0 ? values.slice(0, slice) : values.slice(Math.max(0, values.length + slice));
    setAt(doc, parts, values);
  },
  $addToSet: (doc, parts, arg) => {
    const each = isPlainObject(arg) && '$each' in arg ? arg.$each : [arg];
    if (!Array.isArray(each))
      throw new CommandError('TypeMismatch', 'The argument to $each in $addToSet must be an array');
    const values = [...(arrayAt(doc, parts, '$addToSet') ?? [])];
    for (const value of each) if (!values.some((v) => compareValues(v, value) === 0)) values.push(value);
    setAt(doc, parts, values);
  },
  $pop: (doc, parts, arg) => {
    const direction = isNumeric(arg) ? toNumber(arg) : Number.NaN;
    if (direction !== 1 && direction !== -1) throw new CommandError('FailedToParse', '$pop expects 1 or -1');
    const values = arrayAt(doc, parts, '$pop');
    if (values && values.length > 0) setAt(doc, parts, direction === 1 ? values.slice(0, -1) : values.slice(1));
  },
  $pull: (doc, parts, arg) => {
    const values = arrayAt(doc, parts, '$pull');
    const test = pullTest(arg);
    if (values)
      setAt(
        doc,
        parts,
        values.filter((v) => !test(v)),
      );
  },
  $pullAll: (doc, parts, arg) => {
    if (!Array.isArray(arg)) throw new CommandError('BadValue', '$pullAll requires an array argument');
    const values = arrayAt(doc, parts, '$pullAll');
    if (values)
      setAt(
        doc,
        parts,
        values.filter((v) => !arg.some((a) => compareValues(a, v) === 0)),
      );
  },
  $bit: bitwise,
};
