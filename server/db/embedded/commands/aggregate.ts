/** The aggregate command: a pipeline over one collection, ending in a cursor, $out or $merge. */
import type { Document } from 'bson';
import { isPlainObject } from '../bson/compare';
import { CommandError } from '../errors';
import { checkStages, runStages } from '../pipeline/stages';
import { matchingSoon } from '../planner';
import { checkDeadline } from '../scan';
import type { Database } from '../store';
import { collectionName, count, optional, required } from './args';
import type { CommandContext, CommandHandler } from './context';
import { after, checkCollation, checkFields, checkHint, letVariables, refuseUnsupported } from './options';
import { cursorReply } from './reads';

/** $out: the results replace the target collection (its indexes are kept, as in mongod). */
function out(db: Database, target: unknown, docs: Document[]): void {
  const name = typeof target === 'string' ? target : isPlainObject(target) && typeof target.coll === 'string' ? target.coll : undefined;
  if (!name || (isPlainObject(target) && target.db !== undefined && target.db !== db.name)) {
    throw new CommandError('CommandNotSupported', '$out to another database is not supported by the embedded server');
  }
  const { collection } = db.getOrCreate(name);
  for (const doc of collection.all()) collection.remove(doc);
  for (const doc of docs) collection.insert(doc);
}

/** $merge with its default whenMatched 'merge' / whenNotMatched 'insert', on _id. */
function merge(db: Database, spec: unknown, docs: Document[]): void {
  const into = typeof spec === 'string' ? spec : isPlainObject(spec) ? spec.into : undefined;
  if (typeof into !== 'string') throw new CommandError('CommandNotSupported', '$merge into another database or with `on` fields is not supported by the embedded server');
  const options = isPlainObject(spec) ? spec : {};
  const whenMatched = options.whenMatched ?? 'merge';
  const whenNotMatched = options.whenNotMatched ?? 'insert';
  if (options.on !== undefined && options.on !== '_id') throw new CommandError('CommandNotSupported', "$merge 'on' fields other than _id are not supported by the embedded server");
  if (!['merge', 'replace', 'keepExisting', 'fail'].includes(String(whenMatched)) || !['insert', 'discard', 'fail'].includes(String(whenNotMatched))) {
    throw new CommandError('CommandNotSupported', '$merge with a pipeline or that whenMatched/whenNotMatched is not supported by the embedded server');
  }
  const { collection } = db.getOrCreate(into);
  for (const doc of docs) {
    const existing = collection.byId(doc._id);
    if (!existing) {
      if (whenNotMatched === 'fail') throw new CommandError('Location13113', `$merge could not find a matching document in the target collection for _id ${String(doc._id)}`);
      if (whenNotMatched === 'insert') collection.insert(doc);
    } else if (whenMatched === 'fail') {
      throw new CommandError('DuplicateKey', `E11000 duplicate key error collection: ${collection.ns} index: _id_`);
    } else if (whenMatched !== 'keepExisting') {
      collection.replace(existing, whenMatched === 'replace' ? doc : { ...existing, ...doc });
    }
  }
}

/** Runs a pipeline over a collection, using an index for a leading $match. */
function runPipeline(ctx: CommandContext, name: string, pipeline: Document[], variables: Document): Document[] | Promise<Document[]> {
  checkStages(pipeline);
  const last = pipeline.at(-1);
  const writer = last && ('$out' in last || '$merge' in last) ? last : undefined;
  const stages = writer ? pipeline.slice(0, -1) : pipeline;
  for (const stage of stages) {
    if ('$out' in stage || '$merge' in stage) throw new CommandError('Location40601', `${Object.keys(stage)[0]} can only be the final stage in the pipeline`);
  }
  const first = stages[0];
  const leadingMatch = first && isPlainObject(first.$match);
  const input = leadingMatch
    ? matchingSoon(ctx.db.get(name), first.$match as Document, variables, ctx.deadline)
    : (ctx.db.get(name)?.all() ?? []);
  return after(input, (docs) => {
    const resolve = (other: string) => ctx.db.get(other)?.all() ?? [];
    const results = runStages(docs, leadingMatch ? stages.slice(1) : stages, { variables, resolve, check: () => checkDeadline(ctx.deadline) });
    checkDeadline(ctx.deadline);
    if (writer && '$out' in writer) out(ctx.db, writer.$out, results);
    if (writer && '$merge' in writer) merge(ctx.db, writer.$merge, results);
    return writer ? [] : results;
  });
}

const aggregate: CommandHandler = (cmd, ctx) => {
  if (typeof cmd.aggregate !== 'string') {
    throw new CommandError('CommandNotSupported', 'aggregate on a database ({aggregate: 1}) is not supported by the embedded server');
  }
  const name = collectionName(cmd, 'aggregate');
  checkFields(cmd, 'aggregate', ['pipeline', 'cursor', 'explain', 'allowDiskUse', 'collation', 'hint', 'let', 'bypassDocumentValidation']);
  refuseUnsupported(cmd, 'aggregate', ['explain']);
  checkCollation(cmd, 'aggregate');
  checkHint(cmd, ctx.db.get(name));
  const pipeline = required(cmd, 'aggregate', 'pipeline', 'array');
  pipeline.forEach((stage, i) => optional({ [i]: stage }, 'aggregate.pipeline', String(i), 'object'));
  const cursor = optional(cmd, 'aggregate', 'cursor', 'object');
  if (!cursor) throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  const batchSize = count(cursor, 'aggregate.cursor', 'batchSize');
  ctx.stats.opcounters.command++;
  return after(runPipeline(ctx, name, pipeline as Document[], letVariables(cmd, 'aggregate')), (docs) => {
    const ns = `${ctx.db.name}.${name}`;
    return cursorReply(ns, ctx.cursors.first(ns, docs, batchSize, false, ctx.owner), 'firstBatch');
  });
};

export const aggregateCommands: Record<string, CommandHandler> = { aggregate };
