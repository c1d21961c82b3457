/** Reading: find, getMore, killCursors, count, distinct, aggregate. */
import { type Document, Long } from 'bson';
import type { Batch } from '../cursors';
import { CommandError } from '../errors';
import { valuesAt } from '../indexes';
import { matching, matchingSoon, plan } from '../planner';
import { checkDeadline } from '../scan';
import { compileFilter } from '../query/filter';
import { shape } from '../query/shape';
import { bsonTypeName } from '../values';
import { matchKey, withCollator } from '../bson/compare';
import { collectionName, count, optional, required } from './args';
import type { CommandHandler } from './context';
import { after, checkCollation, checkFields, checkHint, letVariables, refuseUnsupported } from './options';

export function cursorReply(ns: string, batch: Batch, key: 'firstBatch' | 'nextBatch'): Document {
  return { cursor: { [key]: batch.docs, id: batch.id, ns }, ok: 1 };
}

const FIND_FIELDS = [
  'filter',
  'sort',
  'projection',
  'hint',
  'skip',
  'limit',
  'batchSize',
  'singleBatch',
  'let',
  'collation',
  'allowDiskUse',
  'noCursorTimeout',
  'allowPartialResults',
  'returnKey',
  'showRecordId',
  'min',
  'max',
  'tailable',
  'awaitData',
  'oplogReplay',
  'ntoreturn',
];

const find: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'find');
  checkFields(cmd, 'find', FIND_FIELDS);
  refuseUnsupported(cmd, 'find', ['returnKey', 'showRecordId', 'min', 'max', 'tailable', 'awaitData', 'oplogReplay']);
  checkCollation(cmd, 'find');
  checkHint(cmd, ctx.db.peek(name));
  const variables = letVariables(cmd, 'find');
  const filter = optional(cmd, 'find', 'filter', 'object') ?? {};
  const projection = optional(cmd, 'find', 'projection', 'object');
  const options = {
    sort: optional(cmd, 'find', 'sort', 'object'),
    skip: count(cmd, 'find', 'skip'),
    limit: Math.abs(optional(cmd, 'find', 'limit', 'number') ?? 0) || undefined,
    projection,
    // Only a positional projection needs the filter again (to find the matched element).
    filter:
      projection && Object.keys(projection).some((k) => k.endsWith('.$'))
        ? compileFilter(filter, variables)
        : undefined,
    variables,
  };
  const ns = `${ctx.db.name}.${name}`;
  const batchSize = count(cmd, 'find', 'batchSize');
  const singleBatch = optional(cmd, 'find', 'singleBatch', 'bool') ?? false;
  ctx.stats.opcounters.query++;
  const matched = after(ctx.db.read(name, ctx.deadline), (collection) =>
    matchingSoon(collection, filter, variables, ctx.deadline),
  );
  return after(matched, (matched) => {
    const docs = shape(matched, options);
    checkDeadline(ctx.deadline);
    return cursorReply(ns, ctx.cursors.first(ns, docs, batchSize, singleBatch, ctx.owner), 'firstBatch');
  });
};

/** A cursor id exactly: ids are random 64-bit numbers, beyond what a JS number holds. */
function cursorId(value: unknown, field: string): bigint {
  if (value instanceof Long) return value.toBigInt();
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new CommandError(
    'TypeMismatch',
    `BSON field '${field}' is the wrong type '${bsonTypeName(value)}', expected type 'long'`,
  );
}

const getMore: CommandHandler = (cmd, ctx) => {
  const id = cursorId(cmd.getMore, 'getMore.getMore');
  const collection = required(cmd, 'getMore', 'collection', 'string');
  const ns = `${ctx.db.name}.${collection}`;
  ctx.stats.opcounters.getmore++;
  return cursorReply(ns, ctx.cursors.more(id, ns, count(cmd, 'getMore', 'batchSize'), ctx.owner), 'nextBatch');
};

const killCursors: CommandHandler = (cmd, ctx) => {
  collectionName(cmd, 'killCursors');
  const ids = required(cmd, 'killCursors', 'cursors', 'array');
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids) {
    const id = cursorId(raw, 'killCursors.cursors');
    (ctx.cursors.kill(id, ctx.owner) === 'killed' ? killed : notFound).push(Long.fromBigInt(id));
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

const countCommand: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'count');
  checkFields(cmd, 'count', ['query', 'skip', 'limit', 'hint', 'collation', 'fields']);
  checkCollation(cmd, 'count');
  const query = optional(cmd, 'count', 'query', 'object') ?? {};
  checkHint(cmd, ctx.db.peek(name));
  const skip = count(cmd, 'count', 'skip') ?? 0;
  const limit = Math.abs(optional(cmd, 'count', 'limit', 'number') ?? 0);
  const total = after(ctx.db.read(name, ctx.deadline), (collection) =>
    Object.keys(query).length === 0 ? (collection?.docs.size ?? 0) : matchingSoon(collection, query, {}, ctx.deadline),
  );
  return after(total, (matched) => {
    const n = Math.max(0, (typeof matched === 'number' ? matched : matched.length) - skip);
    return { n: limit ? Math.min(n, limit) : n, ok: 1 };
  });
};

const distinct: CommandHandler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  checkFields(cmd, 'distinct', ['key', 'query', 'collation', 'hint']);
  checkCollation(cmd, 'distinct');
  const key = required(cmd, 'distinct', 'key', 'string');
  const query = optional(cmd, 'distinct', 'query', 'object') ?? {};
  checkHint(cmd, ctx.db.peek(name));
  const matched = after(ctx.db.read(name, ctx.deadline), (collection) =>
    matchingSoon(collection, query, {}, ctx.deadline),
  );
  return after(matched, (docs) => {
    const seen = new Map<string, unknown>();
    for (const doc of docs) {
      for (const value of valuesAt(doc, key))
        if (value !== undefined && !seen.has(matchKey(value))) seen.set(matchKey(value), value);
    }
    return { values: [...seen.values()], ok: 1 };
  });
};

/**
 * explain for find, in mongod's shape: the plan stage (IXSCAN through an index or COLLSCAN)
 * and, from 'executionStats' on, how many documents were examined. Lessons read these.
 */
const explain: CommandHandler = (cmd, ctx) => {
  const inner = required(cmd, 'explain', 'explain', 'object');
  if (Object.keys(inner)[0] !== 'find')
    throw new CommandError('CommandNotSupported', 'the embedded server explains find only');
  const name = collectionName(inner, 'find');
  const filter = optional(inner, 'find', 'filter', 'object') ?? {};
  const verbosity = optional(cmd, 'explain', 'verbosity', 'string') ?? 'allPlansExecution';
  const collection = ctx.db.get(name);
  // The explained find's own collation decides the plan and the matches, as it would for the find.
  return withCollator(checkCollation(inner, 'find'), () => {
    const chosen = collection ? plan(collection, filter) : { stage: 'EOF' as const, docs: [], index: undefined };
    const returned = shape(matching(collection, filter), {
      skip: count(inner, 'find', 'skip'),
      limit: count(inner, 'find', 'limit'),
    });
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
  });
};

export const readCommands: Record<string, CommandHandler> = {
  find,
  getMore,
  killCursors,
  count: countCommand,
  distinct,
  explain,
};
