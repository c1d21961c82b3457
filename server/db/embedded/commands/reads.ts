/** Reading: find, getMore, killCursors, count, distinct, aggregate. */
import { type Document, Long } from 'bson';
import { isPlainObject } from '../bson/compare';
import type { Batch } from '../cursors';
import { CommandError } from '../errors';
import { valuesAt } from '../indexes';
import { checkStages, runStages } from '../pipeline/stages';
import { matching, plan } from '../planner';
import { compileFilter } from '../query/filter';
import { shape } from '../query/shape';
import { indexKey } from '../values';
import { collectionName, count, optional, required } from './args';
import type { CommandContext, CommandHandler } from './context';
import { checkCollation, checkFields, checkHint, letVariables, refuseUnsupported } from './options';

function cursorReply(ns: string, batch: Batch, key: 'firstBatch' | 'nextBatch'): Document {
  return { cursor: { [key]: batch.docs, id: batch.id, ns }, ok: 1 };
}

const FIND_FIELDS = [
  'filter', 'sort', 'projection', 'hint', 'skip', 'limit', 'batchSize', 'singleBatch', 'let', 'collation', 'allowDiskUse',
  'noCursorTimeout', 'allowPartialResults', 'returnKey', 'showRecordId', 'min', 'max', 'tailable', 'awaitData', 'oplogReplay', 'ntoreturn',
];

const find: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'find');
  checkFields(cmd, 'find', FIND_FIELDS);
  refuseUnsupported(cmd, 'find', ['returnKey', 'showRecordId', 'min', 'max', 'tailable', 'awaitData', 'oplogReplay']);
  checkCollation(cmd, 'find');
  const collection = ctx.db.get(name);
  checkHint(cmd, collection);
  const variables = letVariables(cmd, 'find');
  const filter = optional(cmd, 'find', 'filter', 'object') ?? {};
  const docs = shape(matching(collection, filter, variables), {
    sort: optional(cmd, 'find', 'sort', 'object'),
    skip: count(cmd, 'find', 'skip'),
    limit: Math.abs(optional(cmd, 'find', 'limit', 'number') ?? 0) || undefined,
    projection: optional(cmd, 'find', 'projection', 'object'),
    filter: compileFilter(filter, variables),
    variables,
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
  checkFields(cmd, 'count', ['query', 'skip', 'limit', 'hint', 'collation', 'fields']);
  checkCollation(cmd, 'count');
  const query = optional(cmd, 'count', 'query', 'object') ?? {};
  const collection = ctx.db.get(name);
  checkHint(cmd, collection);
  let n = Object.keys(query).length === 0 ? (collection?.docs.size ?? 0) : matching(collection, query).length;
  n = Math.max(0, n - (count(cmd, 'count', 'skip') ?? 0));
  const limit = Math.abs(optional(cmd, 'count', 'limit', 'number') ?? 0);
  ctx.stats.opcounters.command++;
  return { n: limit ? Math.min(n, limit) : n, ok: 1 };
};

const distinct: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  checkFields(cmd, 'distinct', ['key', 'query', 'collation', 'hint']);
  checkCollation(cmd, 'distinct');
  const key = required(cmd, 'distinct', 'key', 'string');
  const query = optional(cmd, 'distinct', 'query', 'object') ?? {};
  const collection = ctx.db.get(name);
  checkHint(cmd, collection);
  const seen = new Map<string, unknown>();
  for (const doc of matching(collection, query)) {
    for (const value of valuesAt(doc, key)) if (value !== undefined) seen.set(indexKey(value), value);
  }
  return { values: [...seen.values()], ok: 1 };
};

/** Runs a pipeline over a collection, using an index for a leading $match. */
export function runPipeline(ctx: CommandContext, name: string, pipeline: Document[], variables: Document = {}): Document[] {
  checkStages(pipeline);
  pipeline.slice(0, -1).forEach((stage) => {
    const op = Object.keys(stage)[0]!;
    if (op === '$out' || op === '$merge') throw new CommandError('Location40601', `${op} can only be the final stage in the pipeline`);
  });
  let stages = pipeline;
  let docs: Document[];
  const first = pipeline[0];
  if (first && isPlainObject(first.$match)) {
    docs = matching(ctx.db.get(name), first.$match, variables);
    stages = pipeline.slice(1);
  } else {
    docs = ctx.db.get(name)?.all() ?? [];
  }
  const resolve = (other: string) => ctx.db.get(other)?.all() ?? [];
  return runStages(docs, stages, { variables, resolve });
}

const aggregate: CommandHandler = (cmd, ctx) => {
  if (typeof cmd.aggregate !== 'string') {
    throw new CommandError('InvalidNamespace', 'aggregate on a database ({aggregate: 1}) is not supported by the embedded server');
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
  const docs = runPipeline(ctx, name, pipeline as Document[], letVariables(cmd, 'aggregate'));
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
  if (Object.keys(inner)[0] !== 'find') throw new CommandError('CommandNotSupported', 'the embedded server explains find only');
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
