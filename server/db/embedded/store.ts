/**
 * Databases, collections and their documents, all in memory.
 *
 * Stored documents are never mutated in place: an update builds a new document and swaps
 * it in, so open cursors and replies already built keep a consistent view.
 */
import { type Document, ObjectId } from 'bson';
import { CommandError } from './errors';
import { defaultIndexName, duplicateKey, Index, type IndexSpec } from './indexes';
import { runStages, runStagesSoon } from './pipeline/stages';
import { after, checkDeadline } from './scan';
import { compileFilter } from './query/filter';
import { indexKey, isPlainObject } from './values';

/** Document validation settings, from create or collMod. */
export interface CollectionOptions {
  validator?: Document;
  validationLevel?: 'off' | 'strict' | 'moderate';
  validationAction?: 'error' | 'warn' | 'errorAndLog';
}

export interface WriteOptions {
  /** bypassDocumentValidation: skip the collection's validator. */
  bypassValidation?: boolean;
}

export const ID_INDEX: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  /** Documents keyed by indexKey(_id): this Map is the `_id_` index. Insertion order is natural order. */
  readonly docs = new Map<string, Document>();
  readonly indexes = new Map<string, Index>();
  /** Validation options as create/collMod set them; listCollections shows them. */
  options: CollectionOptions = {};
  private validatorTest?: (doc: Document) => boolean;

  constructor(
    readonly db: string,
    readonly name: string,
    private readonly changed: () => void,
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  all(): Document[] {
    return [...this.docs.values()];
  }

  byId(id: unknown): Document | undefined {
    return this.docs.get(indexKey(id));
  }

  /** Sets (or, with an empty validator, clears) the validator; a filter the server cannot run is refused here. */
  setOptions(options: CollectionOptions): void {
    const next = { ...this.options, ...options };
    if (next.validator !== undefined && Object.keys(next.validator).length === 0) delete next.validator;
    this.validatorTest = next.validator ? compileFilter(next.validator) : undefined;
    this.options = next;
    this.changed();
  }

  /** mongod's DocumentValidationFailure (121) when `doc` fails the validator. */
  private validate(doc: Document, before: Document | undefined, options: WriteOptions | undefined): void {
    const test = this.validatorTest;
    if (!test || options?.bypassValidation || this.options.validationLevel === 'off') return;
    if (this.options.validationLevel === 'moderate' && before && !test(before)) return;
    if (test(doc) || this.options.validationAction === 'warn') return;
    throw new CommandError('DocumentValidationFailure', 'Document failed validation', {
      errInfo: {
        failingDocumentId: doc._id,
        details: {
          operatorName: '$and',
          specifiedAs: this.options.validator,
          reason: 'the document does not match the validator',
        },
      },
    });
  }

  insert(doc: Document, options?: WriteOptions): Document {
    // mongod stores _id first; the driver appends a generated _id to the end.
    if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    else if (Object.keys(doc)[0] !== '_id') doc = { _id: doc._id, ...doc };
    if (Array.isArray(doc._id)) throw new CommandError('BadValue', "can't use an array for _id");
    if (isPlainObject(doc._id)) {
      const dollar = Object.keys(doc._id).find((key) => key.startsWith('$'));
      if (dollar)
        throw new CommandError(
          'DollarPrefixedFieldName',
          `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`,
        );
    }
    const id = indexKey(doc._id);
    if (this.docs.has(id)) throw duplicateKey(this.ns, ID_INDEX, doc);
    this.validate(doc, undefined, options);
    for (const index of this.indexes.values()) index.checkUnique(doc, id, this.ns);
    for (const index of this.indexes.values()) index.add(id, doc);
    this.docs.set(id, doc);
    this.changed();
    return doc;
  }

  /** Swaps `before` for `after` (same _id), keeping every index in step. */
  replace(before: Document, after: Document, options?: WriteOptions): void {
    const id = indexKey(before._id);
    if (indexKey(after._id) !== id) {
      throw new CommandError(
        'ImmutableField',
        "Performing an update on the path '_id' would modify the immutable field '_id'",
      );
    }
    this.validate(after, before, options);
    for (const index of this.indexes.values()) index.checkUnique(after, id, this.ns);
    for (const index of this.indexes.values()) {
      index.remove(id, before);
      index.add(id, after);
    }
    this.docs.set(id, after);
    this.changed();
  }

  remove(doc: Document): void {
    const id = indexKey(doc._id);
    for (const index of this.indexes.values()) index.remove(id, doc);
    this.docs.delete(id);
    this.changed();
  }

  /** Returns false when an identical index already exists. */
  createIndex(input: {
    key: Record<string, number | string>;
    name?: string;
    unique?: boolean;
    sparse?: boolean;
    hidden?: boolean;
  }): boolean {
    const spec: IndexSpec = { v: 2, key: input.key, name: input.name ?? defaultIndexName(input.key) };
    if (input.unique) spec.unique = true;
    if (input.sparse) spec.sparse = true;
    if (input.hidden) spec.hidden = true;
    const sameKey = JSON.stringify(spec.key);
    for (const existing of [ID_INDEX, ...[...this.indexes.values()].map((i) => i.spec)]) {
      const keyMatches = JSON.stringify(existing.key) === sameKey;
      if (existing.name === spec.name || keyMatches) {
        if (keyMatches && existing.name === spec.name && !!existing.unique === !!spec.unique) return false;
        if (existing.name === '_id_' && keyMatches && !spec.unique) return false;
        throw new CommandError(
          keyMatches ? 'IndexOptionsConflict' : 'IndexKeySpecsConflict',
          `An existing index has the same ${keyMatches ? 'key pattern' : 'name'} with different options: ${existing.name}`,
        );
      }
    }
    const index = new Index(spec);
    for (const [id, doc] of this.docs) {
      index.checkUnique(doc, id, this.ns);
      index.add(id, doc);
    }
    this.indexes.set(spec.name, index);
    this.changed();
    return true;
  }

  dropIndex(name: string): void {
    if (name === '_id_') throw new CommandError('InvalidOptions', 'cannot drop _id index');
    if (!this.indexes.delete(name)) throw new CommandError('IndexNotFound', `index not found with name [${name}]`);
    this.changed();
  }

  /** collMod's index.hidden: a hidden index is kept up to date but not used to answer queries. */
  hideIndex(name: string, hidden: boolean): boolean {
    const index = this.indexes.get(name);
    if (!index) throw new CommandError('IndexNotFound', `cannot find index ${name} for ns ${this.ns}`);
    const was = index.spec.hidden === true;
    if (hidden) index.spec.hidden = true;
    else delete index.spec.hidden;
    this.changed();
    return was;
  }

  indexSpecs(): IndexSpec[] {
    return [ID_INDEX, ...[...this.indexes.values()].map((index) => index.spec)];
  }
}

/** A view's definition: its source (a collection or another view) and the pipeline over it. */
export interface ViewDefinition {
  viewOn: string;
  pipeline: Document[];
}

/** Views nest at most this deep, as in mongod. */
const MAX_VIEW_DEPTH = 20;

function viewError(ns: string): CommandError {
  return new CommandError('CommandNotSupportedOnView', `Namespace ${ns} is a view, not a collection`);
}

/**
 * What a read of a view sees: the view's pipeline run over its source, as a collection
 * without indexes. Every way of changing it is refused, so a write can never vanish into it.
 */
class ViewResult extends Collection {
  constructor(db: string, name: string, docs: Document[]) {
    super(db, name, () => {});
    for (const doc of docs) this.docs.set(`view:${this.docs.size}`, doc);
  }

  override insert(): Document {
    throw viewError(this.ns);
  }
  override replace(): void {
    throw viewError(this.ns);
  }
  override remove(): void {
    throw viewError(this.ns);
  }
  override createIndex(): boolean {
    throw viewError(this.ns);
  }
  override dropIndex(): void {
    throw viewError(this.ns);
  }
  override setOptions(): void {
    throw viewError(this.ns);
  }
  override hideIndex(): boolean {
    throw viewError(this.ns);
  }
}

export class Database {
  readonly collections = new Map<string, Collection>();
  readonly views = new Map<string, ViewDefinition>();
  constructor(
    readonly name: string,
    private readonly changed: () => void,
  ) {}

  /** A collection, or for a view what reading it gives (a fresh, read-only result each time). */
  get(name: string, depth = 0): Collection | undefined {
    const view = this.views.get(name);
    if (!view) return this.collections.get(name);
    if (depth >= MAX_VIEW_DEPTH)
      throw new CommandError(
        'ViewDepthLimitExceeded',
        `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    const source = this.get(view.viewOn, depth + 1)?.all() ?? [];
    const docs = runStages(source, view.pipeline, {
      variables: {},
      resolve: (other) => this.get(other, depth + 1)?.all() ?? [],
    });
    return new ViewResult(this.name, name, docs);
  }

  /**
   * What a read sees, like get(), but a view over many documents (or under a time limit) runs
   * its pipeline in slices that step aside for other connections and stop at `deadline`.
   */
  read(
    name: string,
    deadline: number | undefined,
    depth = 0,
  ): Collection | undefined | Promise<Collection | undefined> {
    const view = this.views.get(name);
    if (!view) return this.collections.get(name);
    if (depth >= MAX_VIEW_DEPTH)
      throw new CommandError(
        'ViewDepthLimitExceeded',
        `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`,
      );
    return after(this.read(view.viewOn, deadline, depth + 1), (source) => {
      const options = {
        variables: {},
        resolve: (other: string) => this.get(other, depth + 1)?.all() ?? [],
        check: () => checkDeadline(deadline),
      };
      return after(
        runStagesSoon(source?.all() ?? [], view.pipeline, options, deadline),
        (docs) => new ViewResult(this.name, name, docs),
      );
    });
  }

  /** The collection named so, without running anything: undefined for a view or nothing. */
  peek(name: string): Collection | undefined {
    return this.collections.get(name);
  }

  /** A view's definition changed by collMod: the same checks as createView. */
  modifyView(name: string, definition: ViewDefinition): void {
    const before = this.views.get(name);
    this.views.delete(name);
    try {
      this.createView(name, definition);
    } catch (error) {
      if (before) this.views.set(name, before);
      throw error;
    }
  }

  isView(name: string): boolean {
    return this.views.has(name);
  }

  createView(name: string, definition: ViewDefinition): void {
    if (this.collections.has(name) || this.views.has(name))
      throw new CommandError('NamespaceExists', `Namespace ${this.name}.${name} already exists`);
    let source: string | undefined = definition.viewOn;
    for (let depth = 1; source !== undefined; depth++) {
      if (source === name || depth > MAX_VIEW_DEPTH)
        throw new CommandError(
          'ViewDepthLimitExceeded',
          `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`,
        );
      source = this.views.get(source)?.viewOn;
    }
    this.views.set(name, definition);
    this.changed();
  }

  /** Collections spring into existence on first write, as in mongod; a view refuses the write. */
  getOrCreate(name: string): { collection: Collection; created: boolean } {
    if (this.views.has(name)) throw viewError(`${this.name}.${name}`);
    const existing = this.collections.get(name);
    if (existing) return { collection: existing, created: false };
    const collection = new Collection(this.name, name, this.changed);
    this.collections.set(name, collection);
    this.changed();
    return { collection, created: true };
  }

  /** A new collection holding `source`'s documents, indexes and options (renameCollection). */
  adopt(name: string, source: Collection): Collection {
    const collection = new Collection(this.name, name, this.changed);
    for (const spec of source.indexSpecs().slice(1)) collection.createIndex(spec);
    collection.setOptions(source.options);
    for (const doc of source.docs.values()) collection.insert(doc, { bypassValidation: true });
    this.collections.set(name, collection);
    this.changed();
    return collection;
  }

  drop(name: string): Collection | undefined {
    if (this.views.delete(name)) {
      this.changed();
      return undefined;
    }
    const collection = this.collections.get(name);
    this.collections.delete(name);
    if (collection) this.changed();
    return collection;
  }
}

export class Store {
  readonly databases = new Map<string, Database>();
  /** Called after every change; persistence hooks in here. */
  onChange: () => void = () => {};

  db(name: string): Database {
    let db = this.databases.get(name);
    if (!db) {
      db = new Database(name, () => this.onChange());
      this.databases.set(name, db);
    }
    return db;
  }

  dropDatabase(name: string): void {
    if (this.databases.delete(name)) this.onChange();
  }
}
