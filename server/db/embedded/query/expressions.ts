/**
 * Aggregation expressions. Field paths, variables, literals and the arithmetic that must keep
 * BSON number types are evaluated here; every other operator goes to mingo over a copy of the
 * document whose numbers are plain JS numbers (so its results are int32 when whole, else double).
 */
import { createRequire } from 'node:module';
import { BSONRegExp, Decimal128, type Document, Double, Long } from 'bson';
import type * as MingoCore from 'mingo/core';
import type * as MingoExpression from 'mingo/operators/expression';
import { activeCollator, isPlainObject } from '../bson/compare';
import { addNumbers, isNumeric, multiplyNumbers, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';

export type Variables = Record<string, unknown>;

/**
 * mingo's expression operators are many small modules (seconds to load on a busy machine), so
 * they are loaded on the first expression that needs them rather than at server start.
 */
let mingo: { evalExpr: typeof MingoCore.evalExpr; context: MingoCore.Context } | undefined;
function loadMingo() {
  if (!mingo) {
    const require = createRequire(import.meta.url);
    const core = require('mingo/core') as typeof MingoCore;
    const expression = require('mingo/operators/expression') as typeof MingoExpression;
    mingo = { evalExpr: core.evalExpr, context: core.Context.init({ expression }) };
  }
  return mingo;
}

/** "$a.b" over arrays: the values of b in each element of a, as mongod resolves field paths. */
export function resolvePath(value: unknown, parts: string[], at = 0): unknown {
  if (at === parts.length) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const element of value) {
      if (!isPlainObject(element) && !Array.isArray(element)) continue;
      const v = resolvePath(element, parts, at);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  if (isPlainObject(value)) return resolvePath(value[parts[at]!], parts, at + 1);
  return undefined;
}

/** A copy mingo can compute with: every number a JS number, every regex a RegExp when JS can parse it. */
export function toMingoValue(value: unknown): unknown {
  if (value instanceof Double || value instanceof Long || value instanceof Decimal128) return toNumber(value);
  if (value instanceof BSONRegExp) {
    try {
      return new RegExp(value.pattern, value.options.replace(/[^ims]/g, ''));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(toMingoValue);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = toMingoValue(value[key]);
    return out;
  }
  return value;
}

function variable(name: string, doc: unknown, vars: Variables): unknown {
  const [head, ...rest] = name.split('.');
  let base: unknown;
  if (head === 'ROOT' || head === 'CURRENT') base = vars.ROOT ?? doc;
  else if (head === 'NOW') base = new Date();
  else if (head === 'REMOVE') return undefined;
  else if (Object.hasOwn(vars, head!)) base = vars[head!];
  else throw new CommandError('Location17276', `Use of undefined variable: ${head}`);
  return resolvePath(base, rest);
}

const OWN: Record<string, (args: unknown[]) => unknown> = {
  $add: (args) =>
    args.some((a) => a === null || a === undefined)
      ? null
      : args.every(isNumeric)
        ? args.reduce(addNumbers, 0)
        : undefined,
  $multiply: (args) =>
    args.some((a) => a === null || a === undefined)
      ? null
      : args.every(isNumeric)
        ? args.reduce(multiplyNumbers, 1)
        : undefined,
};

export function evaluate(expr: unknown, doc: unknown, vars: Variables = {}): unknown {
  if (typeof expr === 'string' && expr.startsWith('$')) {
    if (expr.startsWith('$$')) return variable(expr.slice(2), doc, vars);
    return resolvePath(doc, expr.slice(1).split('.'));
  }
  if (Array.isArray(expr)) return expr.map((e) => evaluate(e, doc, vars));
  if (!isPlainObject(expr)) return expr;
  const keys = Object.keys(expr);
  if (keys.length === 1 && keys[0]!.startsWith('$')) {
    const op = keys[0]!;
    if (op === '$literal') return expr.$literal;
    const own = OWN[op];
    const operand = expr[op];
    if (own) {
      const result = own((Array.isArray(operand) ? operand : [operand]).map((e) => evaluate(e, doc, vars)));
      if (result !== undefined) return result;
    }
    if (activeCollator()) {
      throw new CommandError(
        'CommandNotSupported',
        `the expression operator ${op} under a non-simple collation is not supported by the embedded server`,
      );
    }
    const { evalExpr, context } = loadMingo();
    try {
      return evalExpr(toMingoValue(doc), toMingoValue(expr), {
        context,
        variables: toMingoValue(vars) as Document,
      } as Parameters<typeof evalExpr>[2]);
    } catch (error) {
      // mingo reports a bad expression as a plain Error: answer it as the request's fault, with mongod's code where known.
      if (error instanceof CommandError || !(error instanceof Error)) throw error;
      const undefinedVariable = /^Use of undefined variable: (.*)$/.exec(error.message);
      if (undefinedVariable) throw new CommandError('Location17276', error.message);
      throw new CommandError('BadValue', `cannot evaluate ${op}: ${error.message}`);
    }
  }
  const out: Document = {};
  for (const key of keys) {
    if (key.startsWith('$'))
      throw new CommandError('Location16404', `an expression object may hold only one operator, found ${key}`);
    const value = evaluate(expr[key], doc, vars);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** mongod's truthiness: false, null, missing and numeric zero are false. */
export function truthy(value: unknown): boolean {
  if (value === false || value === null || value === undefined) return false;
  if (isNumeric(value)) return toNumber(value) !== 0;
  return true;
}
