/**
 * Command options this server honours, ignores because they cannot change a standalone
 * in-memory server's answer, or refuses: an option it would otherwise drop silently is an
 * error naming it (CommandNotSupported), and one mongod does not know is mongod's 40415.
 */
import type { Document } from 'bson';
import { isPlainObject } from '../bson/compare';
import { CommandError } from '../errors';
import { evaluate } from '../query/expressions';
import type { Collection } from '../store';

/** Fields any command may carry: sessions, cluster time, API version, read/write concern. */
const GENERIC = [
  '$db', 'lsid', '$clusterTime', '$readPreference', 'readConcern', 'writeConcern', 'comment', 'maxTimeMS', 'apiVersion',
  'apiStrict', 'apiDeprecationErrors', '$client', 'txnNumber', 'startTransaction', 'autocommit',
];

export function checkFields(cmd: Document, command: string, allowed: string[]): void {
  for (const key of Object.keys(cmd).slice(1)) {
    if (!allowed.includes(key) && !GENERIC.includes(key)) throw new CommandError('Location40415', `BSON field '${command}.${key}' is an unknown field.`);
  }
}

/** Options mongod knows that this server does not implement: refused when set to anything but their default. */
export function refuseUnsupported(doc: Document, command: string, names: string[]): void {
  for (const name of names) {
    const value = doc[name];
    if (value === undefined || value === null || value === false) continue;
    throw new CommandError('CommandNotSupported', `the '${name}' option of ${command} is not supported by the embedded server`);
  }
}

/** Only the simple (binary) collation is supported; any other would change matches and order. */
export function checkCollation(doc: Document, command: string): void {
  const collation = doc.collation;
  if (collation === undefined || collation === null) return;
  if (!isPlainObject(collation)) throw new CommandError('TypeMismatch', `BSON field '${command}.collation' is the wrong type, expected type 'object'`);
  if (collation.locale === 'simple' && Object.keys(collation).length === 1) return;
  throw new CommandError('CommandNotSupported', `collation ${JSON.stringify(collation)} is not supported by the embedded server (only {locale: 'simple'})`);
}

/** A hint must name an index that exists (by name or by key pattern), as in mongod. */
export function checkHint(doc: Document, collection: Collection | undefined): void {
  const hint = doc.hint;
  if (hint === undefined || hint === null) return;
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return;
  if (isPlainObject(hint) && '$natural' in hint) return;
  const specs = collection?.indexSpecs() ?? [];
  const found =
    typeof hint === 'string' ? specs.some((s) => s.name === hint) : isPlainObject(hint) && specs.some((s) => JSON.stringify(s.key) === JSON.stringify(hint));
  if (!found) throw new CommandError('BadValue', 'error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
}

/** `let` must be an object of constants; its names become $$variables. */
export function letVariables(doc: Document, command: string): Document {
  const vars = doc.let;
  if (vars === undefined || vars === null) return {};
  if (!isPlainObject(vars)) throw new CommandError('TypeMismatch', `BSON field '${command}.let' is the wrong type, expected type 'object'`);
  return Object.fromEntries(Object.entries(vars).map(([name, expr]) => [name, evaluate(expr, {}, {})]));
}

/** Runs `then` on a value now, or on a promise's value when it settles: short work stays synchronous. */
export function after<T, R>(value: T | Promise<T>, then: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}
