/** Writing: insert, update, delete, findAndModify. */
import type { Document } from 'bson';
import { type Collator, withCollator } from '../bson/compare';
import { CommandError, toErrorReply } from '../errors';
import { matching } from '../planner';
import type { Collection } from '../store';
import { compileFilter, type MatchDetails } from '../query/filter';
import { shape } from '../query/shape';
import { applyUpdate, checkUpdateSpec, isReplacement, type UpdateSpec, upsertDocument } from '../updates';
import { isPlainObject } from '../values';
import { collectionName, optional, required } from './args';
import type { CommandHandler } from './context';
import { checkCollation, checkFields, checkHint, letVariables } from './options';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

export function writeError(index: number, error: unknown): WriteError {
  const { code, errmsg, ok: _ok, ...extra } = toErrorReply(error);
  return { index, code: code as number, errmsg: errmsg as string, ...extra };
}

/**
 * Runs each item of a write batch, collecting per-item failures as writeErrors the way mongod
 * does: an ordered batch stops at its first failure, an unordered one carries on.
 */
function eachItem<T>(items: T[], ordered: boolean, run: (item: T, index: number) => void): WriteError[] {
  const errors: WriteError[] = [];
  for (let i = 0; i < items.length; i++) {
    try {
      run(items[i]!, i);
    } catch (error) {
      errors.push(writeError(i, error));
      if (ordered) break;
    }
  }
  return errors;
}

function withErrors(reply: Document, errors: WriteError[]): Document {
  return errors.length > 0 ? { ...reply, writeErrors: errors, ok: 1 } : { ...reply, ok: 1 };
}

const insert: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'insert');
  checkFields(cmd, 'insert', ['documents', 'ordered', 'bypassDocumentValidation']);
  const documents = required(cmd, 'insert', 'documents', 'array');
  const ordered = optional(cmd, 'insert', 'ordered', 'bool') ?? true;
  const bypassValidation = optional(cmd, 'insert', 'bypassDocumentValidation', 'bool');
  const { collection } = ctx.db.getOrCreate(name);
  let n = 0;
  const errors = eachItem(documents, ordered, (doc) => {
    if (!isPlainObject(doc)) throw new CommandError('TypeMismatch', 'each document to insert must be an object');
    collection.insert(doc, { bypassValidation });
    n++;
  });
  ctx.stats.opcounters.insert += n;
  return withErrors({ n }, errors);
};

export interface UpdateStatement {
  q: Document;
  u: unknown;
  multi: boolean;
  upsert: boolean;
  arrayFilters?: Document[];
  sort?: Document;
  variables: Document;
  bypassValidation?: boolean;
  collator?: Collator;
}

/** Updates the first (or every) match of `q` (the first in `sort` order when given); counts for the reply. */
export function updateMatches(collection: Collection, s: UpdateStatement, u: UpdateSpec) {
  let targets = matching(collection, s.q, s.variables);
  if (s.sort && !s.multi) targets = shape(targets, { sort: s.sort, limit: 1 });
  const test = compileFilter(s.q, s.variables);
  let modified = 0;
  for (const before of s.multi ? targets : targets.slice(0, 1)) {
    const details: MatchDetails = {};
    test(before, details);
    const after = applyUpdate(before, u, {
      arrayFilters: s.arrayFilters,
      matchedIndex: details.arrayIndex,
      variables: s.variables,
    });
    if (after === before) continue;
    collection.replace(before, after, { bypassValidation: s.bypassValidation });
    modified++;
  }
  return { matched: s.multi ? targets.length : Math.min(1, targets.length), modified };
}

const STATEMENT_FIELDS = [
  'q',
  'u',
  'multi',
  'upsert',
  'arrayFilters',
  'hint',
  'collation',
  'sort',
  'c',
  'upsertSupplied',
];

/** Field types are checked for the whole batch first: a malformed statement fails the command, like mongod. */
function parseUpdates(cmd: Document, collection: Collection): UpdateStatement[] {
  const variables = letVariables(cmd, 'update');
  const bypassValidation = optional(cmd, 'update', 'bypassDocumentValidation', 'bool');
  return required(cmd, 'update', 'updates', 'array').map((raw) => {
    if (!isPlainObject(raw))
      throw new CommandError('TypeMismatch', "BSON field 'update.updates' must be an array of objects");
    for (const key of Object.keys(raw)) {
      if (!STATEMENT_FIELDS.includes(key))
        throw new CommandError('Location40415', `BSON field 'update.updates.${key}' is an unknown field.`);
    }
    const collator = checkCollation(raw, 'update');
    checkHint(raw, collection);
    const multi = optional(raw, 'update.updates', 'multi', 'bool') ?? false;
    const sort = optional(raw, 'update.updates', 'sort', 'object');
    if (sort && multi) throw new CommandError('FailedToParse', 'Cannot specify sort with multi=true');
    return {
      q: optional(raw, 'update.updates', 'q', 'object') ?? {},
      u: raw.u,
      multi,
      upsert: optional(raw, 'update.updates', 'upsert', 'bool') ?? false,
      arrayFilters: optional(raw, 'update.updates', 'arrayFilters', 'array') as Document[] | undefined,
      sort,
      variables: { ...variables, ...(optional(raw, 'update.updates', 'c', 'object') ?? {}) },
      bypassValidation,
      collator,
    };
  });
}

const update: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  checkFields(cmd, 'update', ['updates', 'ordered', 'let', 'bypassDocumentValidation']);
  const ordered = optional(cmd, 'update', 'ordered', 'bool') ?? true;
  const { collection } = ctx.db.getOrCreate(name);
  const updates = parseUpdates(cmd, collection);
  let n = 0;
  let nModified = 0;
  const upserted: Array<{ index: number; _id: unknown }> = [];
  const errors = eachItem(updates, ordered, (statement, index) =>
    withCollator(statement.collator, () => {
      const u = checkUpdateSpec(statement.u);
      if (statement.multi && isReplacement(u) && Object.keys(u).length > 0) {
        throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
      }
      const result = updateMatches(collection, statement, u);
      if (result.matched === 0 && statement.upsert) {
        const doc = collection.insert(
          upsertDocument(statement.q, u, { arrayFilters: statement.arrayFilters, variables: statement.variables }),
          statement,
        );
        upserted.push({ index, _id: doc._id });
        n++;
        return;
      }
      n += result.matched;
      nModified += result.modified;
    }),
  );
  ctx.stats.opcounters.update += updates.length;
  return withErrors({ n, nModified, ...(upserted.length > 0 ? { upserted } : {}) }, errors);
};

const deleteCommand: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  checkFields(cmd, 'delete', ['deletes', 'ordered', 'let']);
  const variables = letVariables(cmd, 'delete');
  const collection = ctx.db.get(name);
  const deletes = required(cmd, 'delete', 'deletes', 'array').map((raw) => {
    if (!isPlainObject(raw))
      throw new CommandError('TypeMismatch', "BSON field 'delete.deletes' must be an array of objects");
    for (const key of Object.keys(raw)) {
      if (!['q', 'limit', 'hint', 'collation'].includes(key))
        throw new CommandError('Location40415', `BSON field 'delete.deletes.${key}' is an unknown field.`);
    }
    const collator = checkCollation(raw, 'delete');
    checkHint(raw, collection);
    const q = required(raw, 'delete.deletes', 'q', 'object');
    const limit = required(raw, 'delete.deletes', 'limit', 'number');
    if (limit !== 0 && limit !== 1)
      throw new CommandError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${limit}`);
    return { q, limit, collator };
  });
  const ordered = optional(cmd, 'delete', 'ordered', 'bool') ?? true;
  let n = 0;
  const errors = eachItem(deletes, ordered, ({ q, limit, collator }) =>
    withCollator(collator, () => {
      const targets = matching(collection, q, variables);
      for (const doc of limit === 1 ? targets.slice(0, 1) : targets) {
        collection!.remove(doc);
        n++;
      }
    }),
  );
  ctx.stats.opcounters.delete += deletes.length;
  return withErrors({ n }, errors);
};

const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]!);
  checkFields(cmd, 'findAndModify', [
    'query',
    'sort',
    'remove',
    'update',
    'new',
    'fields',
    'upsert',
    'arrayFilters',
    'bypassDocumentValidation',
    'collation',
    'hint',
    'let',
  ]);
  checkCollation(cmd, 'findAndModify');
  const variables = letVariables(cmd, 'findAndModify');
  const query = optional(cmd, 'findAndModify', 'query', 'object') ?? {};
  const sort = optional(cmd, 'findAndModify', 'sort', 'object');
  const remove = optional(cmd, 'findAndModify', 'remove', 'bool') ?? false;
  const returnNew = optional(cmd, 'findAndModify', 'new', 'bool') ?? false;
  const upsert = optional(cmd, 'findAndModify', 'upsert', 'bool') ?? false;
  const projection = optional(cmd, 'findAndModify', 'fields', 'object');
  const arrayFilters = optional(cmd, 'findAndModify', 'arrayFilters', 'array') as Document[] | undefined;
  const bypassValidation = optional(cmd, 'findAndModify', 'bypassDocumentValidation', 'bool');
  if (remove === (cmd.update !== undefined))
    throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && (upsert || returnNew))
    throw new CommandError('FailedToParse', 'Cannot specify both remove=true and upsert=true or new=true');
  const u = remove ? undefined : checkUpdateSpec(cmd.update);
  const { collection } = ctx.db.getOrCreate(name);
  checkHint(cmd, collection);
  const [target] = shape(matching(collection, query, variables), { sort, limit: 1 });
  const test = compileFilter(query, variables);
  const show = (doc: Document | undefined) =>
    doc ? (shape([doc], { projection, filter: test, variables })[0] ?? null) : null;
  if (remove) {
    if (target) collection.remove(target);
    return { lastErrorObject: { n: target ? 1 : 0 }, value: show(target), ok: 1 };
  }
  if (!target) {
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const doc = collection.insert(upsertDocument(query, u!, { arrayFilters, variables }), { bypassValidation });
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
      value: returnNew ? show(doc) : null,
      ok: 1,
    };
  }
  const details: MatchDetails = {};
  test(target, details);
  const after = applyUpdate(target, u!, { arrayFilters, matchedIndex: details.arrayIndex, variables });
  if (after !== target) collection.replace(target, after, { bypassValidation });
  return { lastErrorObject: { n: 1, updatedExisting: true }, value: show(returnNew ? after : target), ok: 1 };
};

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
};
