/** Collections, databases and indexes: create/list/drop. */
import { calculateObjectSize, type Document } from 'bson';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { compileFilter } from '../query/filter';
import { checkStages } from '../pipeline/stages';
import type { Collection, CollectionOptions, Database } from '../store';
import { isPlainObject } from '../values';
import { collectionName, optional, required } from './args';
import type { CommandContext, CommandHandler } from './context';
import { checkFields } from './options';

/** Index options this server keeps; any other (partialFilterExpression, expireAfterSeconds, collation...) is refused rather than ignored. */
const INDEX_FIELDS = ['key', 'name', 'unique', 'sparse', 'hidden', 'v', 'background'];

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
      if (typeof direction === 'string') {
        throw new CommandError(
          'CommandNotSupported',
          `${direction} indexes (${field}: '${direction}') are not supported by the embedded server; only ascending (1) and descending (-1) keys`,
        );
      }
      if (direction !== 1 && direction !== -1) {
        throw new CommandError(
          'BadValue',
          `Values in the index key pattern can only be 1, -1 or a string, not ${String(direction)} for ${field}`,
        );
      }
    }
    for (const option of Object.keys(spec)) {
      if (!INDEX_FIELDS.includes(option))
        throw new CommandError(
          'CommandNotSupported',
          `the index option '${option}' is not supported by the embedded server`,
        );
    }
    collection.createIndex({
      key: key as Record<string, number | string>,
      name: optional(spec, 'createIndexes.indexes', 'name', 'string'),
      unique: optional(spec, 'createIndexes.indexes', 'unique', 'bool'),
      sparse: optional(spec, 'createIndexes.indexes', 'sparse', 'bool'),
      hidden: optional(spec, 'createIndexes.indexes', 'hidden', 'bool'),
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
  refuseView(ctx.db, name);
  const collection = ctx.db.get(name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db.name}.${name}`);
  const cursor = optional(cmd, 'listIndexes', 'cursor', 'object') ?? {};
  const batch = ctx.cursors.first(
    collection.ns,
    collection.indexSpecs(),
    optional(cursor, 'listIndexes.cursor', 'batchSize', 'number'),
    false,
    ctx.owner,
  );
  return { cursor: { firstBatch: batch.docs, id: batch.id, ns: collection.ns }, ok: 1 };
};

const dropIndexes: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'dropIndexes');
  refuseView(ctx.db, name);
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
    throw new CommandError(
      'TypeMismatch',
      "BSON field 'dropIndexes.index' must be a string, an array of strings or an object",
    );
  }
  return { nIndexesWas, ok: 1 };
};

/** validator, validationLevel and validationAction as create and collMod take them. */
function validationOptions(cmd: Document, command: string): CollectionOptions {
  const options: CollectionOptions = {};
  const validator = optional(cmd, command, 'validator', 'object');
  if (validator) {
    compileFilter(validator);
    options.validator = validator;
  }
  const level = optional(cmd, command, 'validationLevel', 'string');
  if (level !== undefined) {
    if (!['off', 'strict', 'moderate'].includes(level))
      throw new CommandError(
        'BadValue',
        `Enumeration value '${level}' for field '${command}.validationLevel' is not a valid value.`,
      );
    options.validationLevel = level as CollectionOptions['validationLevel'];
  }
  const action = optional(cmd, command, 'validationAction', 'string');
  if (action !== undefined) {
    if (!['error', 'warn', 'errorAndLog'].includes(action))
      throw new CommandError(
        'BadValue',
        `Enumeration value '${action}' for field '${command}.validationAction' is not a valid value.`,
      );
    options.validationAction = action as CollectionOptions['validationAction'];
  }
  return options;
}

/** create options mongod knows that would change what the collection holds or answers: refused, never ignored. */
const CREATE_UNSUPPORTED = [
  'capped',
  'size',
  'max',
  'timeseries',
  'clusteredIndex',
  'collation',
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'encryptedFields',
  'storageEngine',
  'indexOptionDefaults',
  'autoIndexId',
  'flags',
];

const create: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'create');
  for (const option of CREATE_UNSUPPORTED) {
    if (cmd[option] !== undefined && cmd[option] !== false) {
      throw new CommandError('CommandNotSupported', `create with '${option}' is not supported by the embedded server`);
    }
  }
  checkFields(cmd, 'create', [
    ...CREATE_UNSUPPORTED,
    'validator',
    'validationLevel',
    'validationAction',
    'idIndex',
    'viewOn',
    'pipeline',
  ]);
  const options = validationOptions(cmd, 'create');
  if (ctx.db.peek(name) || ctx.db.isView(name))
    throw new CommandError('NamespaceExists', `Collection ${ctx.db.name}.${name} already exists.`);
  const viewOn = optional(cmd, 'create', 'viewOn', 'string');
  if (viewOn !== undefined) {
    if (Object.keys(options).length > 0)
      throw new CommandError(
        'InvalidOptions',
        'Cannot specify validator, validationLevel or validationAction for a view',
      );
    collectionName({ viewOn }, 'viewOn');
    ctx.db.createView(name, { viewOn, pipeline: viewPipeline(cmd, 'create') ?? [] });
    return { ok: 1 };
  }
  if (cmd.pipeline !== undefined)
    throw new CommandError('BadValue', "'pipeline' requires 'viewOn' to also be specified");
  const { collection } = ctx.db.getOrCreate(name);
  if (Object.keys(options).length > 0) collection.setOptions(options);
  return { ok: 1 };
};

/** A view's pipeline as create and collMod take it: stages this server runs, no $out or $merge. */
function viewPipeline(cmd: Document, command: string): Document[] | undefined {
  const pipeline = optional(cmd, command, 'pipeline', 'array') as Document[] | undefined;
  if (pipeline === undefined) return undefined;
  checkStages(pipeline);
  for (const stage of pipeline) {
    if ('$out' in stage || '$merge' in stage)
      throw new CommandError('InvalidOptions', `${Object.keys(stage)[0]} cannot be used in a view definition`);
  }
  return pipeline;
}

const COLLMOD_GENERIC = [
  '$db',
  'lsid',
  '$clusterTime',
  '$readPreference',
  'writeConcern',
  'comment',
  'maxTimeMS',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
];

/** collMod on a view: a new viewOn and/or pipeline, checked as create checks them (cycles, depth, stages). */
function modifyView(cmd: Document, ctx: CommandContext, name: string): Document {
  for (const key of Object.keys(cmd).slice(1)) {
    if (key === 'viewOn' || key === 'pipeline' || COLLMOD_GENERIC.includes(key)) continue;
    throw new CommandError(
      'InvalidOptions',
      `collMod '${key}' is not supported on a view (${ctx.db.name}.${name} is one): only viewOn and pipeline are`,
    );
  }
  const viewOn = optional(cmd, 'collMod', 'viewOn', 'string');
  if (viewOn !== undefined) collectionName({ viewOn }, 'viewOn');
  const pipeline = viewPipeline(cmd, 'collMod');
  const current = ctx.db.views.get(name)!;
  if (viewOn !== undefined || pipeline !== undefined)
    ctx.db.modifyView(name, { viewOn: viewOn ?? current.viewOn, pipeline: pipeline ?? current.pipeline });
  return { ok: 1 };
}

/** collMod: the validator settings and an index's `hidden` flag, or a view's viewOn and pipeline; anything else is refused. */
const collMod: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'collMod');
  if (ctx.db.isView(name)) return modifyView(cmd, ctx, name);
  for (const key of Object.keys(cmd).slice(1)) {
    if (['validator', 'validationLevel', 'validationAction', 'index'].includes(key)) continue;
    if (COLLMOD_GENERIC.includes(key)) continue;
    if ((key === 'viewOn' || key === 'pipeline') && ctx.db.peek(name)) {
      throw new CommandError(
        'InvalidOptions',
        `collMod '${key}' is only supported on a view; ${ctx.db.name}.${name} is a collection`,
      );
    }
    if (key === 'viewOn' || key === 'pipeline') continue;
    throw new CommandError(
      'CommandNotSupported',
      `collMod '${key}' is not supported by the embedded server (only validator, validationLevel, validationAction and index.hidden, or a view's viewOn and pipeline)`,
    );
  }
  const collection = ctx.db.peek(name);
  if (!collection) throw new CommandError('NamespaceNotFound', `ns does not exist: ${ctx.db.name}.${name}`);
  const options = validationOptions(cmd, 'collMod');
  const index = optional(cmd, 'collMod', 'index', 'object');
  const reply: Document = {};
  let target: string | undefined;
  if (index) {
    for (const key of Object.keys(index)) {
      if (!['name', 'keyPattern', 'hidden'].includes(key))
        throw new CommandError(
          'CommandNotSupported',
          `collMod index '${key}' is not supported by the embedded server (only hidden)`,
        );
    }
    const hidden = optional(index, 'collMod.index', 'hidden', 'bool');
    if (hidden === undefined)
      throw new CommandError('InvalidOptions', 'no collMod index option specified: give hidden: true or false');
    const byName = optional(index, 'collMod.index', 'name', 'string');
    const keyPattern = optional(index, 'collMod.index', 'keyPattern', 'object');
    if ((byName === undefined) === (keyPattern === undefined))
      throw new CommandError('InvalidOptions', 'collMod index needs exactly one of name or keyPattern');
    target = byName ?? collection.indexSpecs().find((s) => JSON.stringify(s.key) === JSON.stringify(keyPattern))?.name;
    if (target === undefined)
      throw new CommandError(
        'IndexNotFound',
        `cannot find index ${JSON.stringify(keyPattern)} for ns ${collection.ns}`,
      );
    if (target === '_id_') throw new CommandError('BadValue', "can't hide _id index");
  }
  // Checked everything first: a bad index option leaves the validator unchanged, as in mongod.
  if (Object.keys(options).length > 0) collection.setOptions(options);
  if (index && target !== undefined) {
    const hidden = optional(index, 'collMod.index', 'hidden', 'bool')!;
    const was = collection.hideIndex(target, hidden);
    if (was !== hidden) Object.assign(reply, { hidden_old: was, hidden_new: hidden });
  }
  return { ...reply, ok: 1 };
};

/** Commands on a collection's storage (indexes, stats, rename): a view has none. */
export function refuseView(db: Database, name: string): void {
  if (db.isView(name))
    throw new CommandError('CommandNotSupportedOnView', `Namespace ${db.name}.${name} is a view, not a collection`);
}

/** The `scale` of dbStats, collStats and $collStats: a positive whole number, 1 by default. */
export function scaleOf(cmd: Document, command: string): number {
  const scale = cmd.scale;
  if (scale === undefined || scale === null) return 1;
  if (!isNumeric(scale))
    throw new CommandError('TypeMismatch', `BSON field '${command}.scale' is the wrong type, expected a number`);
  const n = Math.trunc(toNumber(scale));
  if (!(n >= 1) || n > 2 ** 31 - 1) throw new CommandError('BadValue', 'Scale factor must be a positive whole number');
  return n;
}

/** Sizes are the BSON sizes of the documents; an in-memory server has no separate storage or index files. */
function dataSize(collection: Collection): number {
  let size = 0;
  for (const doc of collection.docs.values()) size += calculateObjectSize(doc);
  return size;
}

/** The storage figures collStats and $collStats report. */
export function storageStats(collection: Collection, scale: number): Document {
  const size = dataSize(collection);
  const count = collection.docs.size;
  const specs = collection.indexSpecs();
  const indexSizes = Object.fromEntries(specs.map((s) => [s.name, 0]));
  return {
    size: Math.trunc(size / scale),
    count,
    avgObjSize: count === 0 ? 0 : Math.trunc(size / count),
    storageSize: Math.trunc(size / scale),
    freeStorageSize: 0,
    capped: false,
    nindexes: specs.length,
    indexDetails: {},
    indexBuilds: [],
    totalIndexSize: 0,
    totalSize: Math.trunc(size / scale),
    indexSizes,
    scaleFactor: scale,
  };
}

const collStats: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'collStats');
  checkFields(cmd, 'collStats', ['scale', 'verbose']);
  const scale = scaleOf(cmd, 'collStats');
  refuseView(ctx.db, name);
  const collection = ctx.db.get(name);
  if (!collection) throw new CommandError('NamespaceNotFound', `Collection [${ctx.db.name}.${name}] not found.`);
  return { ns: collection.ns, ...storageStats(collection, scale), ok: 1 };
};

const dbStats: CommandHandler = (cmd, ctx) => {
  checkFields(cmd, 'dbStats', ['scale', 'freeStorage']);
  const scale = scaleOf(cmd, 'dbStats');
  let objects = 0;
  let size = 0;
  let indexes = 0;
  for (const collection of ctx.db.collections.values()) {
    objects += collection.docs.size;
    size += dataSize(collection);
    indexes += collection.indexSpecs().length;
  }
  return {
    db: ctx.db.name,
    collections: ctx.db.collections.size,
    views: ctx.db.views.size,
    objects,
    avgObjSize: objects === 0 ? 0 : size / objects,
    dataSize: size / scale,
    storageSize: size / scale,
    indexes,
    indexSize: 0,
    totalSize: size / scale,
    scaleFactor: scale,
    fsUsedSize: 0,
    fsTotalSize: 0,
    ok: 1,
  };
};

/** renameCollection: run on admin with full names; within or across databases, keeping indexes and validator. */
const renameCollection: CommandHandler = (cmd, ctx) => {
  checkFields(cmd, 'renameCollection', ['to', 'dropTarget', 'stayTemp']);
  if (ctx.db.name !== 'admin')
    throw new CommandError('Unauthorized', 'renameCollection may only be run against the admin database.');
  const from = cmd.renameCollection;
  const to = required(cmd, 'renameCollection', 'to', 'string');
  if (typeof from !== 'string')
    throw new CommandError(
      'TypeMismatch',
      "BSON field 'renameCollection.renameCollection' is the wrong type, expected type 'string'",
    );
  const split = (ns: string) => {
    const dot = ns.indexOf('.');
    const db = ns.slice(0, dot);
    const coll = ns.slice(dot + 1);
    if (dot <= 0 || /[/\\. "$\0]/.test(db))
      throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
    collectionName({ c: coll }, 'c');
    return { db, coll };
  };
  const source = split(from);
  const target = split(to);
  if (from === to) throw new CommandError('IllegalOperation', "Can't rename a collection to itself");
  const sourceDb = ctx.store.db(source.db);
  refuseView(sourceDb, source.coll);
  refuseView(ctx.store.db(target.db), target.coll);
  const collection = sourceDb.get(source.coll);
  if (!collection) throw new CommandError('NamespaceNotFound', 'Source collection ' + from + ' does not exist');
  const targetDb = ctx.store.db(target.db);
  if (targetDb.get(target.coll)) {
    if (cmd.dropTarget !== true && !(isNumeric(cmd.dropTarget) && toNumber(cmd.dropTarget) !== 0))
      throw new CommandError('NamespaceExists', 'target namespace exists');
    targetDb.drop(target.coll);
  }
  targetDb.adopt(target.coll, collection);
  sourceDb.drop(source.coll);
  return { ok: 1 };
};

const listCollections: CommandHandler = (cmd, ctx) => {
  const filter = optional(cmd, 'listCollections', 'filter', 'object') ?? {};
  const nameOnly = optional(cmd, 'listCollections', 'nameOnly', 'bool') ?? false;
  const cursor = optional(cmd, 'listCollections', 'cursor', 'object') ?? {};
  const test = compileFilter(filter);
  const infos = [...ctx.db.collections.keys()]
    .map((name): Document =>
      nameOnly
        ? { name, type: 'collection' }
        : {
            name,
            type: 'collection',
            options: { ...ctx.db.get(name)!.options },
            info: { readOnly: false },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    )
    .concat(
      [...ctx.db.views].map(([name, view]) =>
        nameOnly
          ? { name, type: 'view' }
          : { name, type: 'view', options: { viewOn: view.viewOn, pipeline: view.pipeline }, info: { readOnly: true } },
      ),
    )
    .filter((info) => test(info));
  const ns = `${ctx.db.name}.$cmd.listCollections`;
  const batch = ctx.cursors.first(
    ns,
    infos,
    optional(cursor, 'listCollections.cursor', 'batchSize', 'number'),
    false,
    ctx.owner,
  );
  return { cursor: { firstBatch: batch.docs, id: batch.id, ns }, ok: 1 };
};

const listDatabases: CommandHandler = (cmd, ctx) => {
  if (ctx.db.name !== 'admin')
    throw new CommandError('Unauthorized', 'listDatabases may only be run against the admin database.');
  const nameOnly = optional(cmd, 'listDatabases', 'nameOnly', 'bool') ?? false;
  const filter = compileFilter(optional(cmd, 'listDatabases', 'filter', 'object') ?? {});
  const databases: Document[] = [];
  let totalSize = 0;
  for (const db of ctx.store.databases.values()) {
    if (db.collections.size === 0) continue;
    let sizeOnDisk = 0;
    for (const collection of db.collections.values())
      for (const doc of collection.docs.values()) sizeOnDisk += calculateObjectSize(doc);
    totalSize += sizeOnDisk;
    const info = nameOnly ? { name: db.name } : { name: db.name, sizeOnDisk, empty: sizeOnDisk === 0 };
    if (filter(info)) databases.push(info);
  }
  return nameOnly
    ? { databases, ok: 1 }
    : { databases, totalSize, totalSizeMb: Math.round(totalSize / 2 ** 20), ok: 1 };
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
  collMod,
  collStats,
  dbStats,
  renameCollection,
  listCollections,
  listDatabases,
  drop,
  dropDatabase,
};
