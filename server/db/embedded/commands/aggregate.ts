/** The aggregate command: a pipeline over one collection, ending in a cursor, $out or $merge. */
import type { Document } from 'bson';
import { isPlainObject } from '../bson/compare';
import { CommandError } from '../errors';
import { isNumeric, toNumber } from '../bson/numbers';
import { checkStages, runStagesSoon, SOURCE_STAGES } from '../pipeline/stages';
import { evaluate } from '../query/expressions';
import { matchingSoon } from '../planner';
import { checkDeadline } from '../scan';
import { duplicateKey } from '../indexes';
import { type Database, ID_INDEX, type WriteOptions } from '../store';
import { collectionName, count, optional, required } from './args';
import { refuseView, scaleOf, storageStats } from './catalog';
import type { CommandContext, CommandHandler } from './context';
import { after, checkCollation, checkFields, checkHint, letVariables, refuseUnsupported } from './options';
import { cursorReply } from './reads';
import { localSessions } from './sessions';

/** $out: the results replace the target collection (its indexes are kept, as in mongod). */
function out(db: Database, target: unknown, docs: Document[], write: WriteOptions): void {
  const name =
    typeof target === 'string'
      ? target
      : isPlainObject(target) && typeof target.coll === 'string'
        ? target.coll
        : undefined;
  if (!name || (isPlainObject(target) && target.db !== undefined && target.db !== db.name)) {
    throw new CommandError('CommandNotSupported', '$out to another database is not supported by the embedded server');
  }
  const { collection } = db.getOrCreate(name);
  for (const doc of collection.all()) collection.remove(doc);
  for (const doc of docs) collection.insert(doc, write);
}

/** $merge with its default whenMatched 'merge' / whenNotMatched 'insert', on _id. */
function merge(db: Database, spec: unknown, docs: Document[], write: WriteOptions): void {
  const into = typeof spec === 'string' ? spec : isPlainObject(spec) ? spec.into : undefined;
  if (typeof into !== 'string')
    throw new CommandError(
      'CommandNotSupported',
      '$merge into another database or with `on` fields is not supported by the embedded server',
    );
  const options = isPlainObject(spec) ? spec : {};
  const whenMatched = options.whenMatched ?? 'merge';
  const whenNotMatched = options.whenNotMatched ?? 'insert';
  if (options.on !== undefined && options.on !== '_id')
    throw new CommandError(
      'CommandNotSupported',
      "$merge 'on' fields other than _id are not supported by the embedded server",
    );
  if (
    !['merge', 'replace', 'keepExisting', 'fail'].includes(String(whenMatched)) ||
    !['insert', 'discard', 'fail'].includes(String(whenNotMatched))
  ) {
    throw new CommandError(
      'CommandNotSupported',
      '$merge with a pipeline or that whenMatched/whenNotMatched is not supported by the embedded server',
    );
  }
  const { collection } = db.getOrCreate(into);
  for (const doc of docs) {
    const existing = collection.byId(doc._id);
    if (!existing) {
      if (whenNotMatched === 'fail')
        throw new CommandError(
          'Location13113',
          `$merge could not find a matching document in the target collection for _id ${String(doc._id)}`,
        );
      if (whenNotMatched === 'insert') collection.insert(doc, write);
    } else if (whenMatched === 'fail') {
      throw duplicateKey(collection.ns, ID_INDEX, doc);
    } else if (whenMatched !== 'keepExisting') {
      collection.replace(existing, whenMatched === 'replace' ? doc : { ...existing, ...doc }, write);
    }
  }
}

/** The documents a leading source stage produces, or undefined when the pipeline reads the collection. */
function sourceDocs(
  ctx: CommandContext,
  name: string | undefined,
  stage: Document | undefined,
  variables: Document,
): Document[] | undefined {
  const stageName = stage ? Object.keys(stage)[0] : undefined;
  if (!stage || !stageName || !SOURCE_STAGES.includes(stageName)) {
    if (name === undefined && stageName !== '$currentOp') {
      throw new CommandError(
        'InvalidNamespace',
        `{aggregate: 1} is not valid for '${stageName ?? 'an empty pipeline'}'; a collection is required.`,
      );
    }
    return undefined;
  }
  const arg: unknown = stage[stageName];
  if (stageName === '$documents') {
    if (name !== undefined)
      throw new CommandError('InvalidNamespace', '$documents can only be run with {aggregate: 1}');
    const docs = evaluate(arg, {}, variables);
    if (!Array.isArray(docs) || !docs.every(isPlainObject))
      throw new CommandError('BadValue', '$documents must evaluate to an array of objects');
    return docs as Document[];
  }
  if (stageName === '$listLocalSessions') {
    if (name !== undefined)
      throw new CommandError(
        'InvalidNamespace',
        '$listLocalSessions must be run against the database with {aggregate: 1}',
      );
    if (!isPlainObject(arg) || Object.keys(arg).some((k) => k !== 'allUsers' && k !== 'users'))
      throw new CommandError(
        'FailedToParse',
        '$listLocalSessions takes an object: {}, {allUsers: true} or {users: [...]}',
      );
    return localSessions();
  }
  if (name === undefined) throw new CommandError('InvalidNamespace', '$collStats must be run against a collection');
  if (!isPlainObject(arg))
    throw new CommandError('FailedToParse', '$collStats must take a nested object but found a different type');
  for (const key of Object.keys(arg)) {
    if (key !== 'count' && key !== 'storageStats')
      throw new CommandError(
        'CommandNotSupported',
        `$collStats ${key} is not supported by the embedded server (only count and storageStats)`,
      );
  }
  refuseView(ctx.db, name);
  const collection = ctx.db.get(name);
  if (!collection)
    throw new CommandError(
      'NamespaceNotFound',
      `Unable to retrieve storageStats in $collStats stage :: caused by :: Collection [${ctx.db.name}.${name}] not found.`,
    );
  const doc: Document = { ns: collection.ns, host: '127.0.0.1', localTime: new Date() };
  if (isPlainObject(arg.storageStats))
    doc.storageStats = storageStats(collection, scaleOf(arg.storageStats, '$collStats.storageStats'));
  if (arg.count !== undefined) doc.count = collection.docs.size;
  return [doc];
}

/** Runs a pipeline over a collection (or, for {aggregate: 1}, over a source stage), using an index for a leading $match. */
function runPipeline(
  ctx: CommandContext,
  name: string | undefined,
  pipeline: Document[],
  variables: Document,
  write: WriteOptions,
): Document[] | Promise<Document[]> {
  const source = sourceDocs(ctx, name, pipeline[0], variables);
  const rest = source ? pipeline.slice(1) : pipeline;
  checkStages(rest);
  const last = rest.at(-1);
  const writer = last && ('$out' in last || '$merge' in last) ? last : undefined;
  const stages = writer ? rest.slice(0, -1) : rest;
  for (const stage of stages) {
    if ('$out' in stage || '$merge' in stage)
      throw new CommandError('Location40601', `${Object.keys(stage)[0]} can only be the final stage in the pipeline`);
  }
  const first = stages[0];
  const leadingMatch = !source && name !== undefined && first && isPlainObject(first.$match);
  const input =
    source ??
    after(ctx.db.read(name!, ctx.deadline), (collection) =>
      leadingMatch
        ? matchingSoon(collection, first.$match as Document, variables, ctx.deadline)
        : (collection?.all() ?? []),
    );
  const resolve = (other: string) => ctx.db.get(other)?.all() ?? [];
  const ran = after(input, (docs) =>
    runStagesSoon(
      docs,
      leadingMatch ? stages.slice(1) : stages,
      { variables, resolve, check: () => checkDeadline(ctx.deadline) },
      ctx.deadline,
    ),
  );
  return after(ran, (results) => {
    checkDeadline(ctx.deadline);
    if (writer && '$out' in writer) out(ctx.db, writer.$out, results, write);
    if (writer && '$merge' in writer) merge(ctx.db, writer.$merge, results, write);
    return writer ? [] : results;
  });
}

const aggregate: CommandHandler = (cmd, ctx) => {
  const onDatabase = typeof cmd.aggregate !== 'string';
  if (onDatabase && !(isNumeric(cmd.aggregate) && toNumber(cmd.aggregate) === 1)) {
    throw new CommandError(
      'FailedToParse',
      "Invalid command format: the 'aggregate' field must specify a collection name or 1",
    );
  }
  const name = onDatabase ? undefined : collectionName(cmd, 'aggregate');
  checkFields(cmd, 'aggregate', [
    'pipeline',
    'cursor',
    'explain',
    'allowDiskUse',
    'collation',
    'hint',
    'let',
    'bypassDocumentValidation',
  ]);
  refuseUnsupported(cmd, 'aggregate', ['explain']);
  checkCollation(cmd, 'aggregate');
  checkHint(cmd, name === undefined ? undefined : ctx.db.peek(name));
  const pipeline = required(cmd, 'aggregate', 'pipeline', 'array');
  pipeline.forEach((stage, i) => optional({ [i]: stage }, 'aggregate.pipeline', String(i), 'object'));
  const cursor = optional(cmd, 'aggregate', 'cursor', 'object');
  if (!cursor)
    throw new CommandError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  const batchSize = count(cursor, 'aggregate.cursor', 'batchSize');
  const bypassValidation = optional(cmd, 'aggregate', 'bypassDocumentValidation', 'bool');
  return after(
    runPipeline(ctx, name, pipeline as Document[], letVariables(cmd, 'aggregate'), { bypassValidation }),
    (docs) => {
      const ns = `${ctx.db.name}.${name ?? '$cmd.aggregate'}`;
      return cursorReply(ns, ctx.cursors.first(ns, docs, batchSize, false, ctx.owner), 'firstBatch');
    },
  );
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
