/** Collections, databases and indexes: create/list/drop. */
import { calculateObjectSize, type Document } from 'bson';
import { CommandError } from '../errors';
import { compileFilter } from '../query/filter';
import { isPlainObject } from '../values';
import { collectionName, optional, required } from './args';
import type { CommandHandler } from './context';

const createIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'createIndexes');
  const specs = required(cmd, 'createIndexes', 'indexes', 'array');
  if (specs.length === 0) throw new CommandError('BadValue', 'Must specify at least one index to create');
  const { collection, created } = ctx.db.getOrCreate(name);
  const before = collection.indexSpecs().length;
  for (const spec of specs) {
    if (!isPlainObject(spec)) throw new CommandError('TypeMismatch', 'each index specification must be an object');
    const key = required(spec, 'createIndexes.indexes', 'key', 'object');
    const fields = Object.entries(key);
    if (fields.length === 0) throw new CommandError('BadValue', 'Index keys cannot be empty');
    for (const [field, direction] of fields) {
      if (direction !== 1 && direction !== -1 && typeof direction !== 'string') {
        throw new CommandError('BadValue', `Values in the index key pattern can only be 1, -1 or a string, not ${String(direction)} for ${field}`);
      }
    }
    collection.createIndex({
      key: key as Record<string, number | string>,
      name: optional(spec, 'createIndexes.indexes', 'name', 'string'),
      unique: optional(spec, 'createIndexes.indexes', 'unique', 'bool'),
      sparse: optional(spec, 'createIndexes.indexes', 'sparse', 'bool'),
    });
  }
  const after = collection.indexSpecs().length;
  return {
    numIndexesBefore: before,
    numIndexesAfter: after,
    createdCollectionAutomatically: created,
    ...(after === before ? { note: 'all indexes already exist' } : {}),
    ok: 1,
  };
};

const listIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'listIndexes');
  const collection = ctx.db.get(name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db.name}.${name}`);
  const cursor = optional(cmd, 'listIndexes', 'cursor', 'object') ?? {};
  const batch = ctx.cursors.first(collection.ns, collection.indexSpecs(), optional(cursor, 'listIndexes.cursor', 'batchSize', 'number'), false, ctx.owner);
  return { cursor: { firstBatch: batch.docs, id: batch.id, ns: collection.ns }, ok: 1 };
};

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'dropIndexes');
  const collection = ctx.db.get(name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns not found ${ctx.db.name}.${name}`);
  const nIndexesWas = collection.indexSpecs().length;
  const index = cmd.index;
  if (index === '*') {
    for (const spec of collection.indexSpecs().slice(1)) collection.dropIndex(spec.name);
  } else if (typeof index === 'string') {
    collection.dropIndex(index);
  } else if (Array.isArray(index)) {
    for (const each of index) collection.dropIndex(String(each));
  } else if (isPlainObject(index)) {
    const wanted = JSON.stringify(index);
    const spec = collection.indexSpecs().find((s) => JSON.stringify(s.key) === wanted);
    if (!spec) throw new CommandError('IndexNotFound', `can't find index with key: ${wanted}`);
    collection.dropIndex(spec.name);
  } else {
    throw new CommandError('TypeMismatch', "BSON field 'dropIndexes.index' must be a string, an array of strings or an object");
  }
  return { nIndexesWas, ok: 1 };
};

const create: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'create');
  if (ctx.db.get(name)) throw new CommandError('NamespaceExists', `Collection ${ctx.db.name}.${name} already exists.`);
  ctx.db.getOrCreate(name);
  return { ok: 1 };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const filter = optional(cmd, 'listCollections', 'filter', 'object') ?? {};
  const nameOnly = optional(cmd, 'listCollections', 'nameOnly', 'bool') ?? false;
  const cursor = optional(cmd, 'listCollections', 'cursor', 'object') ?? {};
  const test = compileFilter(filter);
  const infos = [...ctx.db.collections.keys()]
    .map((name) =>
      nameOnly
        ? { name, type: 'collection' }
        : { name, type: 'collection', options: {}, info: { readOnly: false }, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
    )
    .filter((info) => test(info));
  const ns = `${ctx.db.name}.$cmd.listCollections`;
  const batch = ctx.cursors.first(ns, infos, optional(cursor, 'listCollections.cursor', 'batchSize', 'number'), false, ctx.owner);
  return { cursor: { firstBatch: batch.docs, id: batch.id, ns }, ok: 1 };
};

const listDatabases: CommandHandler = (cmd, ctx) => {
  if (ctx.db.name !== 'admin') throw new CommandError('Unauthorized', 'listDatabases may only be run against the admin database.');
  const nameOnly = optional(cmd, 'listDatabases', 'nameOnly', 'bool') ?? false;
  const filter = compileFilter(optional(cmd, 'listDatabases', 'filter', 'object') ?? {});
  const databases: Document[] = [];
  let totalSize = 0;
  for (const db of ctx.store.databases.values()) {
    if (db.collections.size === 0) continue;
    let sizeOnDisk = 0;
    for (const collection of db.collections.values()) for (const doc of collection.docs.values()) sizeOnDisk += calculateObjectSize(doc);
    totalSize += sizeOnDisk;
    const info = nameOnly ? { name: db.name } : { name: db.name, sizeOnDisk, empty: sizeOnDisk === 0 };
    if (filter(info)) databases.push(info);
  }
  return nameOnly ? { databases, ok: 1 } : { databases, totalSize, totalSizeMb: Math.round(totalSize / 2 ** 20), ok: 1 };
};

const drop: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'drop');
  const dropped = ctx.db.drop(name);
  // mongod 7+ answers ok for a collection that does not exist.
  return dropped ? { nIndexesWas: dropped.indexSpecs().length, ns: dropped.ns, ok: 1 } : { ok: 1 };
};

const dropDatabase: CommandHandler = (_cmd, ctx) => {
  ctx.store.dropDatabase(ctx.db.name);
  return { dropped: ctx.db.name, ok: 1 };
};

export const catalogCommands: Record<string, CommandHandler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  create,
  listCollections,
  listDatabases,
  drop,
  dropDatabase,
};
