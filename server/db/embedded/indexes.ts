/**
 * Secondary indexes: a Map from key to the documents holding it, so an equality lookup
 * costs one Map.get instead of a scan. The `_id_` index is the collection's own Map.
 */
import { type Document, EJSON } from 'bson';
import { CommandError } from './errors';
import { indexKey, isPlainObject } from './values';

export interface IndexSpec {
  v: 2;
  key: Record<string, number | string>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  hidden?: boolean;
}

/** Every value at `path`, walking into arrays the way a multikey index does. */
function collect(value: unknown, parts: string[], at: number, out: unknown[]): void {
  if (Array.isArray(value)) {
    if (at === parts.length && value.length === 0) out.push(undefined);
    for (const element of value) collect(element, parts, at, out);
    return;
  }
  if (at === parts.length) {
    out.push(value);
    return;
  }
  if (isPlainObject(value)) collect(value[parts[at]!], parts, at + 1, out);
  else out.push(undefined);
}

export function valuesAt(doc: Document, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

export class Index {
  readonly fields: string[];
  /** A field path with an array position (a.0.b): an equality on it cannot be looked up here. */
  readonly positional: boolean;
  private readonly entries = new Map<string, Set<string>>();

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.positional = this.fields.some((f) => /\.\d+(\.|$)/.test(f));
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** The keys one document files under (several for an array field). */
  keysOf(doc: Document): string[] {
    if (this.spec.sparse && this.fields.every((field) => valuesAt(doc, field).every((v) => v === undefined))) return [];
    let keys = [''];
    for (const field of this.fields) {
      const parts = [...new Set(valuesAt(doc, field).map(indexKey))];
      keys = keys.flatMap((prefix) => parts.map((part) => (prefix ? `${prefix}\u0000${part}` : part)));
    }
    return keys;
  }

  /** The key for one value per field, as the planner builds it from an equality filter. */
  static keyFor(values: unknown[]): string {
    return values.map(indexKey).join('\u0000');
  }

  lookup(key: string): ReadonlySet<string> | undefined {
    return this.entries.get(key);
  }

  /** Throws E11000 if `doc` would share a unique key with a document other than `docId`. */
  checkUnique(doc: Document, docId: string, ns: string): void {
    if (!this.unique) return;
    for (const key of this.keysOf(doc)) {
      const holders = this.entries.get(key);
      if (!holders) continue;
      for (const holder of holders) if (holder !== docId) throw duplicateKey(ns, this.spec, doc);
    }
  }

  add(docId: string, doc: Document): void {
    for (const key of this.keysOf(doc)) {
      let holders = this.entries.get(key);
      if (!holders) this.entries.set(key, (holders = new Set()));
      holders.add(docId);
    }
  }

  remove(docId: string, doc: Document): void {
    for (const key of this.keysOf(doc)) {
      const holders = this.entries.get(key);
      holders?.delete(docId);
      if (holders?.size === 0) this.entries.delete(key);
    }
  }
}

export function duplicateKey(ns: string, spec: IndexSpec, doc: Document): CommandError {
  const keyValue: Document = {};
  for (const field of Object.keys(spec.key)) keyValue[field] = valuesAt(doc, field)[0] ?? null;
  const shown = EJSON.stringify(keyValue, { relaxed: true }).replace(/"([^"]+)":/g, '$1: ');
  return new CommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${spec.name} dup key: ${shown}`,
    {
      keyPattern: spec.key,
      keyValue,
    },
  );
}

/** mongod's default index name: { a: 1, b: -1 } -> "a_1_b_-1". */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${String(dir)}`)
    .join('_');
}
