/**
 * $group with mongod's accumulators and type rules: $sum and $avg add numbers of every width
 * with promotion (so Decimal128 sums as a decimal and int32 overflow widens to int64), and
 * ignore what is not a number; $min/$max use BSON order and skip null and missing values.
 */
import type { Document } from 'bson';
import { compareValues, isPlainObject, matchKey } from '../bson/compare';
import { addNumbers, divideByCount, isNumeric } from '../bson/numbers';
import { CommandError } from '../errors';
import { evaluate, type Variables } from '../query/expressions';

interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}

const ACCUMULATORS: Record<string, () => Accumulator> = {
  $sum: () => {
    let sum: unknown = 0;
    return {
      add: (v) => {
        if (isNumeric(v)) sum = addNumbers(sum, v);
      },
      result: () => sum,
    };
  },
  $avg: () => {
    let sum: unknown = 0;
    let n = 0;
    return {
      add: (v) => {
        if (!isNumeric(v)) return;
        sum = addNumbers(sum, v);
        n++;
      },
      result: () => (n === 0 ? null : divideByCount(sum, n)),
    };
  },
  $min: () => extreme(-1),
  $max: () => extreme(1),
  $first: () => {
    let first: unknown;
    let seen = false;
    return {
      add: (v) => {
        if (!seen) [first, seen] = [v ?? null, true];
      },
      result: () => first,
    };
  },
  $last: () => {
    let last: unknown = null;
    return { add: (v) => void (last = v ?? null), result: () => last };
  },
  $push: () => {
    const values: unknown[] = [];
    return { add: (v) => void (v !== undefined && values.push(v)), result: () => values };
  },
  $addToSet: () => {
    const values = new Map<string, unknown>();
    return {
      add: (v) => void (v !== undefined && !values.has(matchKey(v)) && values.set(matchKey(v), v)),
      result: () => [...values.values()],
    };
  },
};

function extreme(direction: 1 | -1): Accumulator {
  let best: unknown;
  return {
    add: (v) => {
      if (v === null || v === undefined) return;
      if (best === undefined || compareValues(v, best) * direction > 0) best = v;
    },
    result: () => best ?? null,
  };
}

/** For the server's README. */
export const ACCUMULATOR_NAMES = [...Object.keys(ACCUMULATORS), '$count'];

interface FieldSpec {
  name: string;
  make: () => Accumulator;
  expr: unknown;
}

function parseFields(spec: Document): FieldSpec[] {
  return Object.entries(spec)
    .filter(([name]) => name !== '_id')
    .map(([name, acc]) => {
      if (name.includes('.')) throw new CommandError('Location40235', `The field name '${name}' cannot contain '.'`);
      if (!isPlainObject(acc) || Object.keys(acc).length !== 1)
        throw new CommandError('Location40234', `The field '${name}' must be an accumulator object`);
      const [op] = Object.keys(acc);
      if (op === '$count') return { name, make: ACCUMULATORS.$sum!, expr: 1 };
      const make = ACCUMULATORS[op!];
      if (!make) {
        throw new CommandError(
          op!.startsWith('$') ? 'CommandNotSupported' : 'Location15952',
          `the ${op} accumulator is not supported by the embedded server`,
        );
      }
      return { name, make, expr: acc[op!] };
    });
}

export function group(docs: Document[], spec: unknown, vars: Variables): Document[] {
  if (!isPlainObject(spec) || !('_id' in spec))
    throw new CommandError('Location15955', 'a group specification must include an _id');
  const fields = parseFields(spec as Document);
  const groups = new Map<string, { id: unknown; accs: Accumulator[] }>();
  for (const doc of docs) {
    const scope = { ...vars, ROOT: doc };
    const id = evaluate(spec._id, doc, scope) ?? null;
    const key = matchKey(id);
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { id, accs: fields.map((f) => f.make()) }));
    fields.forEach((f, i) => entry.accs[i]!.add(evaluate(f.expr, doc, scope)));
  }
  return [...groups.values()].map(({ id, accs }) => {
    const out: Document = { _id: id };
    fields.forEach((f, i) => (out[f.name] = accs[i]!.result()));
    return out;
  });
}
