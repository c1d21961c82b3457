/**
 * Applying an update document: operators through mingo's updater, whole-document
 * replacement, aggregation-pipeline updates, and the document an upsert inserts.
 */
import { type Document, ObjectId } from 'bson';
import { Aggregator, update as mingoUpdate } from 'mingo';
import { CommandError } from './errors';
import { cloneDoc, isPlainObject } from './values';

export type UpdateSpec = Document | Document[];

/** Checks the shape of `u` up front, so a bad update fails before touching anything. */
export function checkUpdateSpec(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject)) throw new CommandError('FailedToParse', 'each update pipeline stage must be an object');
    return u as Document[];
  }
  if (!isPlainObject(u)) throw new CommandError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const operators = keys.filter((k) => k.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw new CommandError('FailedToParse', `The dollar ($) prefixed field '${operators[0]}' in '${operators[0]}' is not allowed here`);
  }
  for (const op of operators) {
    if (!isPlainObject(u[op])) throw new CommandError('FailedToParse', `Modifiers operate on fields but we found type ${typeof u[op]} instead: ${op}`);
  }
  return u as Document;
}

function isReplacement(u: UpdateSpec): u is Document {
  return !Array.isArray(u) && !Object.keys(u).some((k) => k.startsWith('$'));
}

/**
 * The document after the update, or the same object when nothing changed.
 * `inserting` makes $setOnInsert count (it is ignored on existing documents).
 */
export function applyUpdate(doc: Document, u: UpdateSpec, arrayFilters?: Document[], inserting = false): Document {
  if (Array.isArray(u)) {
    const [out] = new Aggregator(u, {}).run([cloneDoc(doc)]) as Document[];
    return { ...out, _id: doc._id };
  }
  if (isReplacement(u)) return { _id: doc._id, ...u };
  const { $setOnInsert, ...modifier } = u as Document;
  if (inserting && $setOnInsert) modifier.$set = { ...(modifier.$set as Document | undefined), ...($setOnInsert as Document) };
  if (Object.keys(modifier).length === 0) return doc;
  const next = cloneDoc(doc);
  let changed: string[];
  try {
    changed = mingoUpdate(next, modifier, arrayFilters);
  } catch (error) {
    const message = (error as Error).message;
    throw new CommandError(/immutable field/.test(message) ? 'ImmutableField' : 'FailedToParse', message);
  }
  return changed.length > 0 ? next : doc;
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(target[part])) target[part] = {};
    target = target[part] as Document;
  }
  target[parts.at(-1)!] = value;
}

/** The document an upsert inserts: the filter's equality fields, then the update applied. */
export function upsertDocument(filter: Document, u: UpdateSpec, arrayFilters?: Document[]): Document {
  const seed: Document = {};
  for (const [field, condition] of Object.entries(filter)) {
    if (field.startsWith('$')) continue;
    if (isPlainObject(condition) && Object.keys(condition).some((k) => k.startsWith('$'))) {
      if (Object.keys(condition).length === 1 && '$eq' in condition) setPath(seed, field, condition.$eq);
      continue;
    }
    if (!(condition instanceof RegExp)) setPath(seed, field, condition);
  }
  const replacement = isReplacement(u) ? (u as Document) : undefined;
  const id = seed._id ?? replacement?._id ?? new ObjectId();
  const base: Document = { _id: id, ...seed };
  const doc = replacement ? { _id: id, ...replacement } : applyUpdate(base, u, arrayFilters, true);
  return doc === base ? cloneDoc(base) : doc;
}
