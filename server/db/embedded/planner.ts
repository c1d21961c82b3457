/**
 * Chooses how to find the documents matching a filter: through an index when the filter
 * pins every field of one to a value (or an $in list of any length), otherwise by scanning.
 * The compiled filter then checks the candidates, unless the index lookup alone is exact.
 */
import type { Document } from 'bson';
import { Index } from './indexes';
import { compileFilter } from './query/filter';
import type { Variables } from './query/expressions';
import { isRegex } from './query/regex';
import { filterYielding, YIELD_THRESHOLD } from './scan';
import type { Collection } from './store';
import { indexKey, isPlainObject } from './values';
import { activeCollator } from './bson/compare';

/** Values a filter entry pins its field to, or undefined if it is not an equality/$in test. */
function pinnedValues(condition: unknown): unknown[] | undefined {
  if (isRegex(condition) || Array.isArray(condition)) return undefined;
  if (!isPlainObject(condition)) return [condition];
  const keys = Object.keys(condition);
  if (keys.length === 0 || !keys[0]!.startsWith('$')) return [condition]; // an embedded-document match
  if (keys.length !== 1) return undefined;
  if (keys[0] === '$eq') return pinnedValues(condition.$eq);
  if (keys[0] === '$in' && Array.isArray(condition.$in)) {
    const values = condition.$in as unknown[];
    return values.some((v) => isRegex(v) || Array.isArray(v)) ? undefined : values;
  }
  return undefined;
}

/** A value whose index key equals mongod's equality match exactly (no null/missing or sub-document subtleties). */
function isScalar(value: unknown): boolean {
  return value !== null && value !== undefined && !isPlainObject(value) && !Array.isArray(value);
}

export interface Plan {
  /** 'IXSCAN' via an index (name in `index`), or 'COLLSCAN'. */
  stage: 'IXSCAN' | 'COLLSCAN';
  index?: string;
  docs: Document[];
  /** The docs are exactly the matches: no need to run the filter over them. */
  exact: boolean;
}

function fromIds(collection: Collection, ids: Iterable<string>): Document[] {
  const docs: Document[] = [];
  for (const id of ids) {
    const doc = collection.docs.get(id);
    if (doc) docs.push(doc);
  }
  return docs;
}

export function plan(collection: Collection, filter: Document): Plan {
  const fields = Object.keys(filter);
  // Indexes hold binary keys: under a collation, strings equal to the query's may be filed elsewhere.
  if (activeCollator()) return { stage: 'COLLSCAN', docs: collection.all(), exact: fields.length === 0 };
  const pinned = new Map<string, unknown[]>();
  for (const field of fields) {
    if (field.startsWith('$')) continue;
    const values = pinnedValues(filter[field]);
    if (values) pinned.set(field, values);
  }
  const exactIf = (indexFields: string[], values: unknown[][]) =>
    fields.length === indexFields.length && values.every((list) => list.every(isScalar));

  const ids = pinned.get('_id');
  if (ids) {
    const unique = ids.length === 1 ? [indexKey(ids[0])] : new Set(ids.map(indexKey));
    return { stage: 'IXSCAN', index: '_id_', docs: fromIds(collection, unique), exact: exactIf(['_id'], [ids]) };
  }
  for (const index of collection.indexes.values()) {
    if (index.spec.hidden || index.positional) continue;
    if (!index.fields.every((f) => pinned.has(f))) continue;
    // A sparse index leaves out documents a null test must still find.
    const lists = index.fields.map((f) => pinned.get(f)!);
    if (index.spec.sparse && lists.some((list) => list.some((v) => v === null))) continue;
    if (lists.length > 1 && lists.some((list) => list.length !== 1)) continue;
    const keys = lists.length === 1 ? lists[0]!.map((v) => Index.keyFor([v])) : [Index.keyFor(lists.map((l) => l[0]))];
    let ids: Iterable<string>;
    if (keys.length === 1) ids = index.lookup(keys[0]!) ?? [];
    else {
      const union = new Set<string>();
      for (const key of keys) for (const id of index.lookup(key) ?? []) union.add(id);
      ids = union;
    }
    return {
      stage: 'IXSCAN',
      index: index.spec.name,
      docs: fromIds(collection, ids),
      exact: exactIf(index.fields, lists),
    };
  }
  return { stage: 'COLLSCAN', docs: collection.all(), exact: fields.length === 0 };
}

/**
 * The same as matching(), but a scan over many documents yields to other connections and
 * honours `deadline` (maxTimeMS): a promise then, an array straight away for short work.
 */
export function matchingSoon(
  collection: Collection | undefined,
  filter: Document,
  vars: Variables,
  deadline: number | undefined,
): Document[] | Promise<Document[]> {
  const test = compileFilter(filter, vars);
  if (!collection) return [];
  const chosen = plan(collection, filter);
  if (chosen.exact) return chosen.docs;
  if (chosen.docs.length < YIELD_THRESHOLD && deadline === undefined) return chosen.docs.filter((doc) => test(doc));
  return filterYielding(chosen.docs, test, deadline);
}

/** Every document of `collection` matching `filter`, in natural order for scans. */
export function matching(collection: Collection | undefined, filter: Document, vars: Variables = {}): Document[] {
  // Compiled first: a bad filter is refused even when the collection does not exist, as in mongod.
  const test = compileFilter(filter, vars);
  if (!collection) return [];
  const chosen = plan(collection, filter);
  if (chosen.exact) return chosen.docs;
  return chosen.docs.filter((doc) => test(doc));
}
