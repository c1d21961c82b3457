/** Writing: insert, update, delete, findAndModify. */
import type { Document } from 'bson';
import { CommandError, toErrorReply } from '../errors';
import { matching } from '../planner';
import type { Collection } from '../store';
import { applyUpdate, checkUpdateSpec, upsertDocument } from '../updates';
import { isPlainObject } from '../values';
import { collectionName, optional, required } from './args';
import type { CommandHandler } from './context';
import { shape } from './reads';

interface WriteError {
  index: number;
  code: number;
  errmsg: string;
  [extra: string]: unknown;
}

function writeError(index: number, error: unknown): WriteError {
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
  const documents = required(cmd, 'insert', 'documents', 'array');
  const ordered = optional(cmd, 'insert', 'ordered', 'bool') ?? true;
  const { collection } = ctx.db.getOrCreate(name);
  let n = 0;
  const errors = eachItem(documents, ordered, (doc) => {
    if (!isPlainObject(doc)) throw new CommandError('TypeMismatch', 'each document to insert must be an object');
    collection.insert(doc);
    n++;
  });
  ctx.stats.opcounters.insert += n;
  return withErrors({ n }, errors);
};

/** Updates the first (or every) match of `q`; returns what the update and findAndModify replies count. */
function updateMatches(collection: Collection, q: Document, u: Document | Document[], multi: boolean, arrayFilters?: Document[]) {
  const targets = matching(collection, q);
  let modified = 0;
  for (const before of multi ? targets : targets.slice(0, 1)) {
    const after = applyUpdate(before, u, arrayFilters);
    if (after === before) continue;
    collection.replace(before, after);
    modified++;
  }
  return { matched: multi ? targets.length : Math.min(1, targets.length), modified };
}

interface UpdateStatement {
  q: Document;
  u: unknown;
  multi: boolean;
  upsert: boolean;
  arrayFilters?: Document[];
}

/** Field types are checked for the whole batch first: a malformed statement fails the command, like mongod. */
function parseUpdates(cmd: Document): UpdateStatement[] {
  return required(cmd, 'update', 'updates', 'array').map((raw) => {
    if (!isPlainObject(raw)) throw new CommandError('TypeMismatch', "BSON field 'update.updates' must be an array of objects");
    return {
      q: optional(raw, 'update.updates', 'q', 'object') ?? {},
      u: raw.u,
      multi: optional(raw, 'update.updates', 'multi', 'bool') ?? false,
      upsert: optional(raw, 'update.updates', 'upsert', 'bool') ?? false,
      arrayFilters: optional(raw, 'update.updates', 'arrayFilters', 'array') as Document[] | undefined,
    };
  });
}

const update: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  const updates = parseUpdates(cmd);
  const ordered = optional(cmd, 'update', 'ordered', 'bool') ?? true;
  const { collection } = ctx.db.getOrCreate(name);
  let n = 0;
  let nModified = 0;
  const upserted: Array<{ index: number; _id: unknown }> = [];
  const errors = eachItem(updates, ordered, ({ q, multi, upsert, arrayFilters, ...statement }, index) => {
    const u = checkUpdateSpec(statement.u);
    if (multi && !Array.isArray(u) && !Object.keys(u).some((k) => k.startsWith('$')) && Object.keys(u).length > 0) {
      throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
    }
    const result = updateMatches(collection, q, u, multi, arrayFilters);
    if (result.matched === 0 && upsert) {
      const doc = collection.insert(upsertDocument(q, u, arrayFilters));
      upserted.push({ index, _id: doc._id });
      n++;
      return;
    }
    n += result.matched;
    nModified += result.modified;
  });
  ctx.stats.opcounters.update += updates.length;
  return withErrors({ n, nModified, ...(upserted.length > 0 ? { upserted } : {}) }, errors);
};

const deleteCommand: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  const deletes = required(cmd, 'delete', 'deletes', 'array').map((raw) => {
    if (!isPlainObject(raw)) throw new CommandError('TypeMismatch', "BSON field 'delete.deletes' must be an array of objects");
    const q = required(raw, 'delete.deletes', 'q', 'object');
    const limit = required(raw, 'delete.deletes', 'limit', 'number');
    if (limit !== 0 && limit !== 1) throw new CommandError('FailedToParse', `The limit field in delete objects must be 0 or 1. Got ${limit}`);
    return { q, limit };
  });
  const ordered = optional(cmd, 'delete', 'ordered', 'bool') ?? true;
  const collection = ctx.db.get(name);
  let n = 0;
  const errors = eachItem(deletes, ordered, ({ q, limit }) => {
    const targets = matching(collection, q);
    for (const doc of limit === 1 ? targets.slice(0, 1) : targets) {
      collection!.remove(doc);
      n++;
    }
  });
  ctx.stats.opcounters.delete += deletes.length;
  return withErrors({ n }, errors);
};

const findAndModify: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0]!);
  const query = optional(cmd, 'findAndModify', 'query', 'object') ?? {};
  const sort = optional(cmd, 'findAndModify', 'sort', 'object');
  const remove = optional(cmd, 'findAndModify', 'remove', 'bool') ?? false;
  const returnNew = optional(cmd, 'findAndModify', 'new', 'bool') ?? false;
  const upsert = optional(cmd, 'findAndModify', 'upsert', 'bool') ?? false;
  const projection = optional(cmd, 'findAndModify', 'fields', 'object');
  const arrayFilters = optional(cmd, 'findAndModify', 'arrayFilters', 'array') as Document[] | undefined;
  if (remove === (cmd.update !== undefined)) throw new CommandError('FailedToParse', 'Either an update or remove=true must be specified');
  if (remove && (upsert || returnNew)) throw new CommandError('FailedToParse', 'Cannot specify both remove=true and upsert=true or new=true');
  const u = remove ? undefined : checkUpdateSpec(cmd.update);
  const { collection } = ctx.db.getOrCreate(name);
  const [target] = shape(matching(collection, query), { sort, limit: 1 });
  const show = (doc: Document | undefined) => (doc ? (shape([doc], { projection })[0] ?? null) : null);
  if (remove) {
    if (target) collection.remove(target);
    return { lastErrorObject: { n: target ? 1 : 0 }, value: show(target), ok: 1 };
  }
  if (!target) {
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const doc = collection.insert(upsertDocument(query, u!, arrayFilters));
    return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? show(doc) : null, ok: 1 };
  }
  const after = applyUpdate(target, u!, arrayFilters);
  if (after !== target) collection.replace(target, after);
  return { lastErrorObject: { n: 1, updatedExisting: true }, value: show(returnNew ? after : target), ok: 1 };
};

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: deleteCommand,
  findAndModify,
  findandmodify: findAndModify,
};
