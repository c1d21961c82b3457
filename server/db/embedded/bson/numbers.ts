/**
 * Numbers of every BSON width, compared by value and combined with mongod's type promotion.
 *
 * How a number is held in memory decides how it goes back on the wire, so documents keep
 * their exact types: a JS number is an int32 when whole and in int32 range and a double
 * otherwise (that is how js-bson writes it); a whole double inside int32 range (10.0) stays
 * a `Double`; every int64 is a `Long`; decimals are `Decimal128`.
 */
import { Decimal128, Double, Int32, Long } from 'bson';

export type NumericKind = 'int' | 'long' | 'double' | 'decimal';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function isNumeric(value: unknown): boolean {
  return (
    typeof value === 'number' ||
    value instanceof Double ||
    value instanceof Long ||
    value instanceof Decimal128 ||
    value instanceof Int32
  );
}

export function numericKind(value: unknown): NumericKind | undefined {
  if (typeof value === 'number')
    return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX && !Object.is(value, -0)
      ? 'int'
      : 'double';
  if (value instanceof Double) return 'double';
  if (value instanceof Int32) return 'int';
  if (value instanceof Long) return 'long';
  if (value instanceof Decimal128) return 'decimal';
  return undefined;
}

/** A double held so that it goes back on the wire as a double. */
export function double(n: number): number | Double {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX ? new Double(n) : n;
}

/** The nearest JS number (lossy for int64 beyond 2^53 and for decimals). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Double || value instanceof Int32) return value.value;
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Decimal128) return Number(value.toString());
  return Number.NaN;
}

/** An exact decimal: coefficient × 10^exponent, or one of the special values. */
export type Exact = { c: bigint; e: number } | { special: 'nan' | 'inf' | '-inf' };

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseDecimal(text: string): Exact {
  if (/^[+-]?nan$/i.test(text)) return { special: 'nan' };
  if (/^\+?inf(inity)?$/i.test(text)) return { special: 'inf' };
  if (/^-inf(inity)?$/i.test(text)) return { special: '-inf' };
  const m = DECIMAL.exec(text);
  if (!m) return { special: 'nan' };
  const fraction = m[3] ?? '';
  const c = BigInt(`${m[1] === '-' ? '-' : ''}${m[2]}${fraction}`);
  return { c, e: Number(m[4] ?? 0) - fraction.length };
}

export function toExact(value: unknown): Exact {
  if (value instanceof Long) return { c: value.toBigInt(), e: 0 };
  if (value instanceof Decimal128) return parseDecimal(value.toString());
  const n = toNumber(value);
  if (Number.isNaN(n)) return { special: 'nan' };
  if (!Number.isFinite(n)) return { special: n > 0 ? 'inf' : '-inf' };
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return { c: BigInt(n), e: 0 };
  return parseDecimal(String(n));
}

const pow10 = (k: number) => 10n ** BigInt(k);

function rank(x: Exact): number {
  if ('special' in x) return x.special === 'nan' ? -2 : x.special === '-inf' ? -1 : 1;
  return 0;
}

function compareExact(a: Exact, b: Exact): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== 0 || rb !== 0) return Math.sign(ra - rb);
  const x = a as { c: bigint; e: number };
  const y = b as { c: bigint; e: number };
  const e = Math.min(x.e, y.e);
  const cx = x.c * pow10(x.e - e);
  const cy = y.c * pow10(y.e - e);
  return cx < cy ? -1 : cx > cy ? 1 : 0;
}

const needsExact = (v: unknown) =>
  v instanceof Decimal128 ||
  (v instanceof Long && (v.greaterThan(Long.fromNumber(2 ** 53)) || v.lessThan(Long.fromNumber(-(2 ** 53)))));

/** Compares two numbers of any BSON width by value; NaN sorts below every number, as in mongod. */
export function compareNumbers(a: unknown, b: unknown): number {
  if (!needsExact(a) && !needsExact(b)) {
    const x = toNumber(a);
    const y = toNumber(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareExact(toExact(a), toExact(b));
}

/** A key that two numbers share exactly when they are equal by value: whole numbers as plain digits. */
export function numberKey(value: unknown): string {
  const x = toExact(value);
  if ('special' in x) return x.special;
  if (x.c === 0n) return '0';
  let { c, e } = x;
  if (e >= 0) return (c * pow10(e)).toString();
  while (e < 0 && c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  return e === 0 ? c.toString() : `${c}e${e}`;
}

function fromExact(x: Exact): Decimal128 {
  if ('special' in x)
    return Decimal128.fromString(x.special === 'nan' ? 'NaN' : x.special === 'inf' ? 'Infinity' : '-Infinity');
  return Decimal128.fromStringWithRounding(`${x.c}E${x.e}`);
}

function addExact(a: Exact, b: Exact): Exact {
  if ('special' in a || 'special' in b) return { special: 'nan' };
  const e = Math.min(a.e, b.e);
  return { c: a.c * pow10(a.e - e) + b.c * pow10(b.e - e), e };
}

function multiplyExact(a: Exact, b: Exact): Exact {
  if ('special' in a || 'special' in b) return { special: 'nan' };
  return { c: a.c * b.c, e: a.e + b.e };
}

const KIND_RANK: Record<NumericKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

/** The wider of two numeric kinds, as mongod picks the result type of arithmetic. */
export function widerKind(a: NumericKind, b: NumericKind): NumericKind {
  return KIND_RANK[a] >= KIND_RANK[b] ? a : b;
}

function combine(a: unknown, b: unknown, op: 'add' | 'multiply'): unknown {
  const kind = widerKind(numericKind(a)!, numericKind(b)!);
  if (kind === 'decimal') return fromExact((op === 'add' ? addExact : multiplyExact)(toExact(a), toExact(b)));
  if (kind === 'double') return double(op === 'add' ? toNumber(a) + toNumber(b) : toNumber(a) * toNumber(b));
  const x = BigInt(a instanceof Long ? a.toBigInt() : toNumber(a));
  const y = BigInt(b instanceof Long ? b.toBigInt() : toNumber(b));
  const result = op === 'add' ? x + y : x * y;
  // int32 overflow widens to int64; int64 overflow falls back to double, as in mongod.
  if (kind === 'int' && result >= BigInt(INT32_MIN) && result <= BigInt(INT32_MAX)) return Number(result);
  if (result >= LONG_MIN && result <= LONG_MAX) return Long.fromBigInt(result);
  return double(Number(result));
}

export const addNumbers = (a: unknown, b: unknown) => combine(a, b, 'add');
export const multiplyNumbers = (a: unknown, b: unknown) => combine(a, b, 'multiply');

/** A sum divided by a count, for $avg: a double, or a decimal when any input was one. */
export function divideByCount(sum: unknown, count: number): unknown {
  if (sum instanceof Decimal128) {
    const x = toExact(sum);
    if ('special' in x) return sum;
    const scale = 40;
    return fromExact({ c: (x.c * pow10(scale)) / BigInt(count), e: x.e - scale });
  }
  return double(toNumber(sum) / count);
}
