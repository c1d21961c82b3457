/**
 * Applying an update document: update operators (with `$`, `$[]` and `$[<id>]`), whole-document
 * replacement, aggregation-pipeline updates, and the document an upsert inserts.
 */
import { type Document, ObjectId } from 'bson';
import { compareValues, isPlainObject } from './bson/compare';
import { CommandError } from './errors';
import { runStages } from './pipeline/stages';
import { isRegex } from './query/regex';
import { OPERATORS } from './update/operators';
import { compileArrayFilters, expandPath, setAt } from './update/paths';
import { cloneDoc } from './values';

export type UpdateSpec = Document | Document[];

export interface UpdateOptions {
  arrayFilters?: Document[];
  /** Where in its array the query matched, for the positional `$`. */
  matchedIndex?: number;
  /** An upsert's insert: $setOnInsert applies. */
  inserting?: boolean;
  variables?: Document;
}

/** Checks the shape of `u` up front, so a bad update fails before touching anything. */
export function checkUpdateSpec(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject))
      throw new CommandError('FailedToParse', 'each update pipeline stage must be an object');
    for (const stage of u) {
      const name = Object.keys(stage)[0]!;
      if (!['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith'].includes(name)) {
        throw new CommandError('InvalidOptions', `${name} is not allowed to be used within an update`);
      }
    }
    return u as Document[];
  }
  if (!isPlainObject(u))
    throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const operators = keys.filter((k) => k.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new CommandError(
      'FailedToParse',
      `The dollar ($) prefixed field '${operators[0]}' in '${operators[0]}' is not allowed here`,
    );
  }
  for (const op of operators) {
    if (!Object.hasOwn(OPERATORS, op))
      throw new CommandError(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    if (!isPlainObject(u[op]))
      throw new CommandError(
        'FailedToParse',
        `Modifiers operate on fields but we found type ${typeof u[op]} instead: ${op}`,
      );
  }
  checkConflicts(u);
  return u as Document;
}

/** Two operators may not touch the same path or one inside the other (code 40, as in mongod). */
function checkConflicts(u: Document): void {
  const seen: string[] = [];
  for (const [op, fields] of Object.entries(u)) {
    if (!op.startsWith('$')) continue;
    const paths = Object.keys(fields as Document);
    if (op === '$rename') paths.push(...Object.values(fields as Document).map(String));
    for (const path of paths) {
      if (path === '') throw new CommandError('EmptyFieldName', 'An update path cannot be empty');
      const clash = seen.find((p) => p === path || p.startsWith(`${path}.`) || path.startsWith(`${p}.`));
      if (clash)
        throw new CommandError(
          'ConflictingUpdateOperators',
          `Updating the path '${path}' would create a conflict at '${clash}'`,
        );
      seen.push(path);
    }
  }
}

export function isReplacement(u: UpdateSpec): u is Document {
  return !Array.isArray(u) && !Object.keys(u).some((k) => k.startsWith('$'));
}

/** Whether two values are the same BSON value, type included (so 1 → 1.0 counts as a change). */
function identical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Binary, whatever the collation: "pong" → "PONG" is a change even where they compare equal.
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => identical(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && identical(a[k], b[k]));
  }
  if (typeof a !== typeof b || (typeof a === 'object' && (a as object)?.constructor !== (b as object)?.constructor))
    return false;
  return compareValues(a, b) === 0 && !(typeof a === 'number' && !Object.is(a, b));
}

function rename(doc: Document, from: string, to: unknown): void {
  if (typeof to !== 'string' || to === '')
    throw new CommandError('BadValue', `The 'to' field for $rename must be a string: ${from}`);
  if (from.includes('$') || to.includes('$'))
    throw new CommandError('BadValue', '$rename cannot use the positional operator');
  const value = from.split('.').reduce<unknown>((v, p) => (isPlainObject(v) ? v[p] : undefined), doc);
  if (value === undefined) return;
  OPERATORS.$unset!(doc, from.split('.'), '', false);
  setAt(doc, to.split('.'), value);
}

/** The document after the update, or the same object when nothing changed. */
export function applyUpdate(doc: Document, u: UpdateSpec, options: UpdateOptions = {}): Document {
  if (Array.isArray(u)) {
    const [out] = runStages([cloneDoc(doc)], u, { variables: options.variables ?? {} });
    const next = { ...out, _id: doc._id };
    return identical(next, doc) ? doc : next;
  }
  if (isReplacement(u)) {
    const next = { _id: doc._id, ...u };
    return identical(next, doc) ? doc : next;
  }
  const next = cloneDoc(doc);
  const ctx = {
    matchedIndex: options.matchedIndex,
    filters: compileArrayFilters(options.arrayFilters),
    used: new Set<string>(),
  };
  for (const [op, fields] of Object.entries(u)) {
    for (const [path, arg] of Object.entries(fields as Document)) {
      if (op === '$rename') {
        rename(next, path, arg);
        continue;
      }
      for (const parts of expandPath(next, path.split('.'), ctx))
        OPERATORS[op]!(next, parts, arg, options.inserting === true);
    }
  }
  for (const id of ctx.filters.keys()) {
    if (!ctx.used.has(id))
      throw new CommandError(
        'FailedToParse',
        `The array filter for identifier '${id}' was not used in the update ${JSON.stringify(u)}`,
      );
  }
  return identical(next, doc) ? doc : next;
}

/** The equality fields of a filter, as an upsert seeds its new document from them. */
function seedFrom(filter: Document, seed: Document): void {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const sub of condition) if (isPlainObject(sub)) seedFrom(sub, seed);
      continue;
    }
    if (field.startsWith('$')) continue;
    if (isPlainObject(condition) && Object.keys(condition).some((k) => k.startsWith('$'))) {
      if ('$eq' in condition) setAt(seed, field.split('.'), condition.$eq);
      continue;
    }
    if (!isRegex(condition)) setAt(seed, field.split('.'), condition);
  }
}

/** The document an upsert inserts: the filter's equality fields, then the update applied. */
export function upsertDocument(filter: Document, u: UpdateSpec, options: UpdateOptions = {}): Document {
  const seed: Document = {};
  seedFrom(filter, seed);
  const replacement: Document | undefined = isReplacement(u) ? u : undefined;
  const id = seed._id ?? replacement?._id ?? new ObjectId();
  const base: Document = { _id: id, ...seed };
  if (replacement) return { _id: id, ...replacement };
  const doc = applyUpdate(base, u, { ...options, inserting: true, matchedIndex: undefined });
  return doc === base ? cloneDoc(base) : doc;
}
