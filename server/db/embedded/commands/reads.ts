/** Reading: find, getMore, killCursors, count, distinct, aggregate. */
import { type Document, Long } from 'bson';
import { Aggregator, find as mingoFind } from 'mingo';
import type { Batch } from '../cursors';
import { CommandError } from '../errors';
import { valuesAt } from '../indexes';
import { matching, plan } from '../planner';
import { cloneDoc, indexKey } from '../values';
import { collectionName, count, optional, required } from './args';
import type { CommandContext, CommandHandler } from './context';

function cursorReply(ns: string, batch: Batch, key: 'firstBatch' | 'nextBatch'): Document {
  return { cursor: { [key]: batch.docs, id: batch.id, ns }, ok: 1 };
}

/**
 * Sort, skip, limit and projection over already-matched documents, in mongod's order.
 * mingo is only called for sort and projection: building one of its cursors copies its whole
 * operator table (~100 µs), which would dominate an indexed findOne.
 */
export function shape(docs: Document[], options: { sort?: Document; skip?: number; limit?: number; projection?: Document }): Document[] {
  const { sort, skip = 0, limit = 0 } = options;
  const projection = options.projection && Object.keys(options.projection).length > 0 ? options.projection : undefined;
  let out = docs;
  if (sort && Object.keys(sort).length > 0) out = mingoFind(out, {}).sort(sort as Record<string, 1 | -1>).all() as Document[];
  if (skip || limit) out = out.slice(skip, limit ? skip + limit : undefined);
  if (projection) out = mingoFind(out, {}, projection).all() as Document[];
  return out;
}

const find: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'find');
  const filter = optional(cmd, 'find', 'filter', 'object') ?? {};
  const docs = shape(matching(ctx.db.get(name), filter), {
    sort: optional(cmd, 'find', 'sort', 'object'),
    skip: count(cmd, 'find', 'skip'),
    limit: count(cmd, 'find', 'limit'),
    projection: optional(cmd, 'find', 'projection', 'object'),
  });
  const ns = `${ctx.db.name}.${name}`;
  const batchSize = count(cmd, 'find', 'batchSize');
  const singleBatch = optional(cmd, 'find', 'singleBatch', 'bool') ?? false;
  ctx.stats.opcounters.query++;
  return cursorReply(ns, ctx.cursors.first(ns, docs, batchSize, singleBatch), 'firstBatch');
};

const getMore: CommandHandler = (cmd, ctx) => {
  const id = optional(cmd, 'getMore', 'getMore', 'number');
  if (id === undefined) throw new CommandError('TypeMismatch', "BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
  const collection = required(cmd, 'getMore', 'collection', 'string');
  const ns = `${ctx.db.name}.${collection}`;
  ctx.stats.opcounters.getmore++;
  return cursorReply(ns, ctx.cursors.more(id, ns, count(cmd, 'getMore', 'batchSize')), 'nextBatch');
};

const killCursors: CommandHandler = (cmd, ctx) => {
  collectionName(cmd, 'killCursors');
  const ids = required(cmd, 'killCursors', 'cursors', 'array');
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids) {
    const id = Number(raw);
    (ctx.cursors.kill(id) ? killed : notFound).push(Long.fromNumber(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const countCommand: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'count');
  const query = optional(cmd, 'count', 'query', 'object') ?? {};
  const collection = ctx.db.get(name);
  let n = Object.keys(query).length === 0 ? (collection?.docs.size ?? 0) : matching(collection, query).length;
  n = Math.max(0, n - (count(cmd, 'count', 'skip') ?? 0));
  const limit = count(cmd, 'count', 'limit');
  ctx.stats.opcounters.command++;
  return { n: limit ? Math.min(n, limit) : n, ok: 1 };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  const key = required(cmd, 'distinct', 'key', 'string');
  const query = optional(cmd, 'distinct', 'query', 'object') ?? {};
  const seen = new Map<string, unknown>();
  for (const doc of matching(ctx.db.get(name), query)) {
    for (const value of valuesAt(doc, key)) if (value !== undefined) seen.set(indexKey(value), value);
  }
  return { values: [...seen.values()], ok: 1 };
};

/** Stages that build new documents rather than editing their input, so stored documents are safe. */
const NON_MUTATING_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$count', '$group', '$project', '$unwind', '$sortByCount']);

/** Runs a pipeline over a collection, using an index for a leading $match. */
export function runPipeline(ctx: CommandContext, name: string, pipeline: Document[]): Document[] {
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0];
    if (op === '$out' || op === '$merge') throw new CommandError('NotImplemented', `${op} is not supported by the embedded server`);
  }
  let stages = pipeline;
  let docs: Document[];
  const first = pipeline[0];
  if (first && Object.keys(first).length === 1 && first.$match && typeof first.$match === 'object') {
    docs = matching(ctx.db.get(name), first.$match as Document);
    stages = pipeline.slice(1);
  } else {
    docs = ctx.db.get(name)?.all() ?? [];
  }
  if (stages.length === 0) return docs;
  const safe = stages.every((stage) => NON_MUTATING_STAGES.has(Object.keys(stage)[0] ?? ''));
  return new Aggregator(stages, {}).run(safe ? docs : docs.map(cloneDoc)) as Document[];
}

const aggregate: CommandHandler = (cmd, ctx) => {
  if (typeof cmd.aggregate !== 'string') {
    throw new CommandError('InvalidNamespace', 'aggregate on a database ({aggregate: 1}) is not supported by the embedded server');
  }
  const name = collectionName(cmd, 'aggregate');
  const pipeline = required(cmd, 'aggregate', 'pipeline', 'array');
  pipeline.forEach((stage, i) => optional({ [i]: stage }, 'aggregate.pipeline', String(i), 'object'));
  const cursor = optional(cmd, 'aggregate', 'cursor', 'object');
  if (!cursor) throw new CommandError('FailedToParse', "The 'cursor' option is required, except for aggregate with the explain argument");
  const docs = runPipeline(ctx, name, pipeline as Document[]);
  const ns = `${ctx.db.name}.${name}`;
  ctx.stats.opcounters.command++;
  return cursorReply(ns, ctx.cursors.first(ns, docs, count(cursor, 'aggregate.cursor', 'batchSize')), 'firstBatch');
};

/**
 * explain for find, in mongod's shape: the plan stage (IXSCAN through an index or COLLSCAN)
 * and, from 'executionStats' on, how many documents were examined. Lessons read these.
 */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = required(cmd, 'explain', 'explain', 'object');
  if (Object.keys(inner)[0] !== 'find') throw new CommandError('NotImplemented', 'the embedded server explains find only');
  const name = collectionName(inner, 'find');
  const filter = optional(inner, 'find', 'filter', 'object') ?? {};
  const verbosity = optional(cmd, 'explain', 'verbosity', 'string') ?? 'allPlansExecution';
  const collection = ctx.db.get(name);
  const chosen = collection ? plan(collection, filter) : { stage: 'EOF' as const, docs: [], index: undefined };
  const returned = shape(matching(collection, filter), { skip: count(inner, 'find', 'skip'), limit: count(inner, 'find', 'limit') });
  const winningPlan =
    chosen.stage === 'IXSCAN'
      ? { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: chosen.index } }
      : { stage: chosen.stage, filter };
  const queryPlanner = { namespace: `${ctx.db.name}.${name}`, parsedQuery: filter, winningPlan, rejectedPlans: [] };
  const executionStats = {
    executionSuccess: true,
    nReturned: returned.length,
    totalKeysExamined: chosen.stage === 'IXSCAN' ? chosen.docs.length : 0,
    totalDocsExamined: chosen.docs.length,
  };
  return { queryPlanner, ...(verbosity === 'queryPlanner' ? {} : { executionStats }), ok: 1 };
};

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count: countCommand,
  distinct,
  aggregate,
  explain,
};
