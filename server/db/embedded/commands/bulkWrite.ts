/**
 * The bulkWrite admin command (MongoDB 8.0): inserts, updates and deletes across namespaces
 * in one command, as the Node driver's client.bulkWrite sends it. Results come back as a
 * cursor of per-operation replies (only the errors with errorsOnly), plus totals.
 */
import type { Document } from 'bson';
import { withCollator } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { matching } from '../planner';
import type { Collection, Database } from '../store';
import { checkUpdateSpec, isReplacement, upsertDocument } from '../updates';
import { isPlainObject } from '../values';
import { collectionName, count, optional, required } from './args';
import type { CommandHandler } from './context';
import { checkCollation, checkFields, checkHint, letVariables } from './options';
import { cursorReply } from './reads';
import { type UpdateStatement, updateMatches, writeError } from './writes';

const OP_FIELDS: Record<string, string[]> = {
  insert: ['insert', 'document'],
  update: [
    'update',
    'filter',
    'updateMods',
    'multi',
    'upsert',
    'arrayFilters',
    'hint',
    'collation',
    'sort',
    'constants',
  ],
  delete: ['delete', 'filter', 'multi', 'hint', 'collation'],
};

interface Target {
  db: Database;
  name: string;
}

function parseNamespaces(nsInfo: unknown[], store: Parameters<CommandHandler>[1]['store']): Target[] {
  return nsInfo.map((entry, i) => {
    if (!isPlainObject(entry))
      throw new CommandError('TypeMismatch', `BSON field 'bulkWrite.nsInfo.${i}' must be an object`);
    for (const key of Object.keys(entry)) {
      if (key !== 'ns')
        throw new CommandError(
          'CommandNotSupported',
          `bulkWrite nsInfo '${key}' is not supported by the embedded server`,
        );
    }
    const ns = required(entry, 'bulkWrite.nsInfo', 'ns', 'string');
    const dot = ns.indexOf('.');
    const dbName = ns.slice(0, dot);
    if (dot <= 0 || /[/\\. "$\0]/.test(dbName))
      throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
    const name = collectionName({ c: ns.slice(dot + 1) }, 'c');
    return { db: store.db(dbName), name };
  });
}

const bulkWrite: CommandHandler = (cmd, ctx) => {
  if (ctx.db.name !== 'admin')
    throw new CommandError('Unauthorized', 'bulkWrite may only be run against the admin database.');
  if (!(isNumeric(cmd.bulkWrite) && toNumber(cmd.bulkWrite) === 1))
    throw new CommandError('FailedToParse', "BSON field 'bulkWrite' must be 1");
  checkFields(cmd, 'bulkWrite', [
    'ops',
    'nsInfo',
    'ordered',
    'errorsOnly',
    'bypassDocumentValidation',
    'let',
    'cursor',
  ]);
  const ops = required(cmd, 'bulkWrite', 'ops', 'array');
  const targets = parseNamespaces(required(cmd, 'bulkWrite', 'nsInfo', 'array'), ctx.store);
  const ordered = optional(cmd, 'bulkWrite', 'ordered', 'bool') ?? true;
  const errorsOnly = optional(cmd, 'bulkWrite', 'errorsOnly', 'bool') ?? false;
  const bypassValidation = optional(cmd, 'bulkWrite', 'bypassDocumentValidation', 'bool');
  const variables = letVariables(cmd, 'bulkWrite');
  const cursor = optional(cmd, 'bulkWrite', 'cursor', 'object') ?? {};
  const batchSize = count(cursor, 'bulkWrite.cursor', 'batchSize');
  if (ops.length === 0) throw new CommandError('InvalidLength', "'ops' field must not be empty");
  if (ops.length > 100_000) throw new CommandError('InvalidLength', 'Write batch sizes must be between 1 and 100000');

  // The whole command is parsed before anything is written, as mongod does.
  const parsed = ops.map((raw, i) => {
    if (!isPlainObject(raw))
      throw new CommandError('TypeMismatch', `BSON field 'bulkWrite.ops.${i}' must be an object`);
    const kind = Object.keys(raw)[0];
    if (kind === undefined || !(kind in OP_FIELDS))
      throw new CommandError('FailedToParse', `Unrecognized bulkWrite operation: '${kind ?? ''}'`);
    for (const key of Object.keys(raw)) {
      if (!OP_FIELDS[kind]!.includes(key))
        throw new CommandError('Location40415', `BSON field 'bulkWrite.ops.${kind}.${key}' is an unknown field.`);
    }
    const nsIndex = raw[kind];
    if (
      !isNumeric(nsIndex) ||
      !Number.isInteger(toNumber(nsIndex)) ||
      toNumber(nsIndex) < 0 ||
      toNumber(nsIndex) >= targets.length
    ) {
      throw new CommandError('BadValue', `BulkWrite ops entry ${i} has an invalid nsInfo index: ${String(nsIndex)}`);
    }
    return { kind: kind as 'insert' | 'update' | 'delete', raw, target: targets[toNumber(nsIndex)]! };
  });

  const replies: Document[] = [];
  const totals = { nErrors: 0, nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
  const existing = (t: Target): Collection | undefined => t.db.get(t.name);
  for (let idx = 0; idx < parsed.length; idx++) {
    const { kind, raw, target } = parsed[idx]!;
    try {
      const collator = kind === 'insert' ? undefined : checkCollation(raw, `bulkWrite.ops.${kind}`);
      withCollator(collator, () => {
        if (kind === 'insert') {
          const document = required(raw, 'bulkWrite.ops.insert', 'document', 'object');
          target.db.getOrCreate(target.name).collection.insert(document, { bypassValidation });
          totals.nInserted++;
          if (!errorsOnly) replies.push({ ok: 1, idx, n: 1 });
        } else if (kind === 'update') {
          checkHint(raw, existing(target));
          const multi = optional(raw, 'bulkWrite.ops.update', 'multi', 'bool') ?? false;
          const sort = optional(raw, 'bulkWrite.ops.update', 'sort', 'object');
          if (sort && multi) throw new CommandError('FailedToParse', 'Cannot specify sort with multi=true');
          const statement: UpdateStatement = {
            q: optional(raw, 'bulkWrite.ops.update', 'filter', 'object') ?? {},
            u: raw.updateMods,
            multi,
            upsert: optional(raw, 'bulkWrite.ops.update', 'upsert', 'bool') ?? false,
            arrayFilters: optional(raw, 'bulkWrite.ops.update', 'arrayFilters', 'array') as Document[] | undefined,
            sort,
            variables: { ...variables, ...(optional(raw, 'bulkWrite.ops.update', 'constants', 'object') ?? {}) },
            bypassValidation,
          };
          const u = checkUpdateSpec(statement.u);
          if (multi && isReplacement(u) && Object.keys(u).length > 0)
            throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
          const { collection } = target.db.getOrCreate(target.name);
          const result = updateMatches(collection, statement, u);
          if (result.matched === 0 && statement.upsert) {
            const doc = collection.insert(
              upsertDocument(statement.q, u, { arrayFilters: statement.arrayFilters, variables: statement.variables }),
              { bypassValidation },
            );
            totals.nUpserted++;
            if (!errorsOnly) replies.push({ ok: 1, idx, n: 1, nModified: 0, upserted: { _id: doc._id } });
          } else {
            totals.nMatched += result.matched;
            totals.nModified += result.modified;
            if (!errorsOnly) replies.push({ ok: 1, idx, n: result.matched, nModified: result.modified });
          }
        } else {
          const collection = existing(target);
          checkHint(raw, collection);
          const filter = required(raw, 'bulkWrite.ops.delete', 'filter', 'object');
          const multi = optional(raw, 'bulkWrite.ops.delete', 'multi', 'bool') ?? false;
          const matches = matching(collection, filter, variables);
          let n = 0;
          for (const doc of multi ? matches : matches.slice(0, 1)) {
            collection!.remove(doc);
            n++;
          }
          totals.nDeleted += n;
          if (!errorsOnly) replies.push({ ok: 1, idx, n });
        }
      });
    } catch (error) {
      const { index: _index, ...details } = writeError(idx, error);
      replies.push({ ok: 0, idx, ...details, ...(kind === 'update' ? { n: 0, nModified: 0 } : { n: 0 }) });
      totals.nErrors++;
      if (ordered) break;
    }
  }
  ctx.stats.opcounters.insert += totals.nInserted;
  const ns = 'admin.$cmd.bulkWrite';
  return {
    ...cursorReply(ns, ctx.cursors.first(ns, replies, batchSize, false, ctx.owner), 'firstBatch'),
    ...totals,
    ok: 1,
  };
};

export const bulkWriteCommands: Record<string, CommandHandler> = { bulkWrite };
