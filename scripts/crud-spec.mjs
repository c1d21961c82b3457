// `npm run crud-spec -- <folder> [file-substring] [--verbose]`: runs the MongoDB drivers' unified
// CRUD tests against this checkout's embedded server, through the official driver, and prints
// passed / failed / skipped with the reasons. <folder> holds the tests' JSON files, i.e.
// `source/crud/tests/unified` of a clone of github.com/mongodb/specifications (not kept in this
// repository: fetch it yourself). Results go to the system's temporary folder.
//
// Hand-written because no maintained JavaScript runner of the unified format exists outside the
// Node driver's own test suite (which needs its whole test harness); this one covers what the CRUD
// tests use: client/database/collection/session entities, initialData, outcome, expectResult,
// expectError, the $$ operators they use and command-event matching. `failPoint` runs
// configureFailPoint (the server is started with --enable-test-commands) and turns it off after
// the test; `targetedFailPoint` (mongos only) is skipped.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!args[0] || !fs.existsSync(args[0])) {
  console.error('usage: npm run crud-spec -- <specifications/source/crud/tests/unified> [file-substring] [--verbose]');
  process.exit(2);
}
const dir = path.resolve(args[0]);
const only = args[1];
const verbose = process.argv.includes('--verbose');
const require = createRequire(path.join(root, 'package.json'));
const mongodb = require('mongodb');
const { EJSON } = mongodb.BSON;
const { MongoClient, Long, Int32, Double, Decimal128, ObjectId, Binary, Timestamp, BSONRegExp, MinKey, MaxKey } =
  mongodb;
const SERVER_VERSION = '8.0.0';
/**
 * Tests the Node driver (7.9) itself cannot pass against any server, checked in its source:
 * they are reported apart from the server's failures.
 */
const DRIVER_DEVIATIONS = [
  [
    /^create-null-ids: /,
    'the driver replaces a null _id with an ObjectId before sending (utils.js maybeAddIdToDocuments: `_id == null`; client bulk write: `_id ?? createPk()`)',
  ],
  [
    /^bypassDocumentValidation: .* passes bypassDocumentValidation: false$/,
    'the driver omits bypassDocumentValidation: false from the command',
  ],
  [
    /^client-bulkWrite-partialResults: partialResult is unset/,
    'the driver always sets partialResult on MongoClientBulkWriteError (results_merger.js)',
  ],
];

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(root, 'node_modules/tsx/dist/loader.mjs'),
        path.join(root, 'server/db/embedded/cli.ts'),
        '--port',
        '0',
        '--enable-test-commands',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready on (mongodb:\/\/\S+)/.exec(out);
      if (m) resolve({ uri: m[1], child, stderr: () => err });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

// ---------- matching ----------
class Mismatch extends Error {}
const isNum = (v) =>
  typeof v === 'number' || v instanceof Long || v instanceof Int32 || v instanceof Double || typeof v === 'bigint';
const toNum = (v) =>
  typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : v instanceof Long ? v.toNumber() : v.valueOf();
const isDoc = (v) =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  (v.constructor === Object || v.constructor === undefined || Object.getPrototypeOf(v) === null);
function bsonTypeOf(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? (Math.abs(v) < 2 ** 31 ? 'int' : 'long') : 'double';
  if (typeof v === 'bigint' || v instanceof Long) return 'long';
  if (v instanceof Int32) return 'int';
  if (v instanceof Double) return 'double';
  if (v instanceof Decimal128) return 'decimal';
  if (v instanceof ObjectId) return 'objectId';
  if (v instanceof Date) return 'date';
  if (v instanceof Binary) return 'binData';
  if (v instanceof Timestamp) return 'timestamp';
  if (v instanceof BSONRegExp || v instanceof RegExp) return 'regex';
  if (v instanceof MinKey) return 'minKey';
  if (v instanceof MaxKey) return 'maxKey';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}
function typeMatches(want, v) {
  const t = bsonTypeOf(v);
  const wants = Array.isArray(want) ? want : [want];
  for (const w of wants) {
    if (w === t) return true;
    if (w === 'number' && ['int', 'long', 'double', 'decimal'].includes(t)) return true;
    // the driver promotes longs and doubles to JS numbers: accept any numeric
    if (['int', 'long', 'double'].includes(w) && typeof v === 'number') return true;
  }
  return false;
}
function match(expected, actual, ctx, pathName = '', isRoot = true) {
  const fail = (why) => {
    throw new Mismatch(`${pathName || '<root>'}: ${why}; expected ${show(expected)} got ${show(actual)}`);
  };
  if (isDoc(expected)) {
    const keys = Object.keys(expected);
    if (keys.length === 1 && keys[0].startsWith('$$'))
      return special(keys[0], expected[keys[0]], actual, ctx, pathName, isRoot, fail);
    if (actual instanceof Map) actual = Object.fromEntries(actual);
    if (
      !isDoc(actual) &&
      !(actual && typeof actual === 'object' && !Array.isArray(actual) && bsonTypeOf(actual) === 'object')
    )
      fail('not a document');
    for (const key of keys) {
      const want = expected[key];
      if (isDoc(want) && Object.keys(want).length === 1 && Object.keys(want)[0].startsWith('$$')) {
        const op = Object.keys(want)[0];
        if (op === '$$exists') {
          if ((actual[key] !== undefined) !== want[op]) fail(`${key} exists should be ${want[op]}`);
          continue;
        }
        if (op === '$$unsetOrMatches') {
          if (actual[key] === undefined) continue;
          match(want[op], actual[key], ctx, `${pathName}.${key}`, false);
          continue;
        }
      }
      if (!(key in actual) || actual[key] === undefined) fail(`missing key ${key}`);
      match(want, actual[key], ctx, `${pathName}.${key}`, false);
    }
    if (!isRoot)
      for (const key of Object.keys(actual))
        if (!(key in expected) && actual[key] !== undefined) fail(`extra key ${key}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail('not an array');
    if (actual.length !== expected.length) fail(`length ${actual.length} != ${expected.length}`);
    expected.forEach((e, i) => match(e, actual[i], ctx, `${pathName}[${i}]`, isRoot === 'elements'));
    return;
  }
  if (isNum(expected)) {
    if (!isNum(actual) || toNum(actual) !== toNum(expected)) fail('numbers differ');
    return;
  }
  if (
    expected instanceof Decimal128 ||
    expected instanceof ObjectId ||
    expected instanceof Binary ||
    expected instanceof Timestamp ||
    expected instanceof Date ||
    expected instanceof BSONRegExp
  ) {
    if (EJSON.stringify({ v: expected }) !== EJSON.stringify({ v: actual })) fail('values differ');
    return;
  }
  if (expected !== actual) fail('values differ');
}
function special(op, arg, actual, ctx, pathName, isRoot, fail) {
  switch (op) {
    case '$$type':
      if (!typeMatches(arg, actual)) fail(`type ${bsonTypeOf(actual)}`);
      return;
    case '$$exists':
      if ((actual !== undefined) !== arg) fail('exists');
      return;
    case '$$unsetOrMatches':
      if (actual === undefined) return;
      return match(arg, actual, ctx, pathName, isRoot);
    case '$$matchesEntity':
      return match(ctx.entities.get(arg), actual, ctx, pathName, isRoot);
    case '$$sessionLsid': {
      const s = ctx.entities.get(arg);
      if (!s || !actual || EJSON.stringify(s.id ?? s.lsid) !== EJSON.stringify(actual)) fail('lsid');
      return;
    }
    case '$$lte':
      if (!isNum(actual) || toNum(actual) > toNum(arg)) fail('lte');
      return;
    case '$$matchAsRoot':
      return match(arg, actual, ctx, pathName, true);
    case '$$matchAsDocument':
      return match(arg, EJSON.parse(actual), ctx, pathName, false);
    default:
      throw new Error(`unsupported matcher ${op}`);
  }
}
function show(v) {
  try {
    return EJSON.stringify(v, { relaxed: true }).slice(0, 300);
  } catch {
    return String(v);
  }
}

// ---------- requirements ----------
const cmpVersion = (a, b) => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
};
function requirementProblem(reqs) {
  if (!reqs || reqs.length === 0) return undefined;
  const problems = [];
  for (const r of reqs) {
    const p = [];
    if (r.minServerVersion && cmpVersion(SERVER_VERSION, r.minServerVersion) < 0)
      p.push(`needs server >= ${r.minServerVersion}`);
    if (r.maxServerVersion && cmpVersion(SERVER_VERSION, r.maxServerVersion) > 0)
      p.push(`needs server <= ${r.maxServerVersion}`);
    if (r.topologies && !r.topologies.includes('single')) p.push(`needs topology ${r.topologies.join('/')}`);
    if (r.serverless === 'require') p.push('needs serverless');
    if (r.auth === true) p.push('needs auth');
    if (r.csfle) p.push('needs csfle');
    if (r.serverParameters) p.push(`needs server parameters ${Object.keys(r.serverParameters).join(',')}`);
    if (p.length === 0) return undefined;
    problems.push(p.join(' & '));
  }
  return problems.join(' | ');
}

// ---------- entities and operations ----------
const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
function driverOptions(args, drop = []) {
  const out = {};
  for (const [k, v] of Object.entries(args)) {
    if (drop.includes(k)) continue;
    if (k === 'session') continue;
    if (k === 'returnDocument') out[k] = v.toLowerCase();
    else out[k] = v;
  }
  if (args.session) out.session = args.__session;
  return out;
}
function mapToObj(m) {
  return m instanceof Map ? Object.fromEntries([...m].map(([k, v]) => [String(k), v])) : m;
}
// Node's UpdateResult carries a didUpsert flag the spec's expected documents do not list.
function withoutDidUpsert(m) {
  return m ? Object.fromEntries(Object.entries(mapToObj(m)).map(([k, { didUpsert: _d, ...rest }]) => [k, rest])) : m;
}
function clientBulkResult(r) {
  if (!r) return r;
  return clean({
    insertedCount: r.insertedCount,
    upsertedCount: r.upsertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
    insertResults: r.insertResults ? mapToObj(r.insertResults) : undefined,
    updateResults: r.updateResults ? withoutDidUpsert(r.updateResults) : undefined,
    deleteResults: r.deleteResults ? mapToObj(r.deleteResults) : undefined,
  });
}
function bulkResult(r) {
  return {
    insertedCount: r.insertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
    upsertedCount: r.upsertedCount,
    upsertedIds: r.upsertedIds,
    insertedIds: r.insertedIds,
  };
}
class Skip extends Error {}

async function runOperation(op, ctx) {
  const target = op.object === 'testRunner' ? undefined : ctx.entities.get(op.object);
  const args = { ...(op.arguments ?? {}) };
  if (args.session) args.__session = ctx.entities.get(args.session);
  const opts = (drop) => driverOptions(args, drop);
  switch (op.name) {
    case 'failPoint': {
      await ctx.entities.get(args.client).db('admin').command(args.failPoint);
      ctx.failPoints.push(args.failPoint.configureFailPoint);
      return undefined;
    }
    case 'targetedFailPoint':
      throw new Skip('targetedFailPoint needs a mongos-pinned session');
    case 'insertOne':
      return target.insertOne(args.document, opts(['document']));
    case 'insertMany':
      return target.insertMany(args.documents, opts(['documents']));
    case 'find':
      return target.find(args.filter ?? {}, opts(['filter'])).toArray();
    case 'findOne':
      return target.findOne(args.filter ?? {}, opts(['filter']));
    case 'aggregate':
      return target.aggregate(args.pipeline, opts(['pipeline'])).toArray();
    case 'countDocuments':
      return target.countDocuments(args.filter, opts(['filter']));
    case 'count':
      return target.count(args.filter, opts(['filter']));
    case 'estimatedDocumentCount':
      return target.estimatedDocumentCount(opts([]));
    case 'distinct':
      return target.distinct(args.fieldName, args.filter, opts(['fieldName', 'filter']));
    case 'deleteOne':
      return target.deleteOne(args.filter, opts(['filter']));
    case 'deleteMany':
      return target.deleteMany(args.filter, opts(['filter']));
    case 'updateOne':
      return target.updateOne(args.filter, args.update, opts(['filter', 'update']));
    case 'updateMany':
      return target.updateMany(args.filter, args.update, opts(['filter', 'update']));
    case 'replaceOne':
      return target.replaceOne(args.filter, args.replacement, opts(['filter', 'replacement']));
    case 'findOneAndDelete':
      return target.findOneAndDelete(args.filter, opts(['filter']));
    case 'findOneAndUpdate':
      return target.findOneAndUpdate(args.filter, args.update, opts(['filter', 'update']));
    case 'findOneAndReplace':
      return target.findOneAndReplace(args.filter, args.replacement, opts(['filter', 'replacement']));
    case 'bulkWrite':
      return bulkResult(await target.bulkWrite(args.requests, opts(['requests'])));
    case 'clientBulkWrite': {
      const models = args.models.map((m) => {
        const [name, body] = Object.entries(m)[0];
        return { name, ...body };
      });
      const r = await target.bulkWrite(models, opts(['models']));
      return r && r.acknowledged === false ? r : clientBulkResult(r);
    }
    case 'createIndex':
      return target.createIndex(args.keys, opts(['keys']));
    case 'dropCollection':
      return target.dropCollection(args.collection, opts(['collection']));
    case 'createCollection':
      return target.createCollection(args.collection, opts(['collection']));
    case 'modifyCollection':
      return target.command({ collMod: args.collection, ...opts(['collection']) });
    case 'runCommand':
      return target.command(args.command, opts(['command', 'commandName']));
    default:
      throw new Skip(`operation ${op.name} not in this runner`);
  }
}

function errorMatches(spec, err, ctx) {
  if (spec.isClientError !== undefined) {
    const server =
      err instanceof mongodb.MongoServerError ||
      err?.errorResponse ||
      (err instanceof mongodb.MongoClientBulkWriteError && err.cause instanceof mongodb.MongoServerError);
    const isClient = !(
      server ||
      (err?.code !== undefined && typeof err.code === 'number') ||
      (err?.writeErrors && (err.writeErrors.size ?? err.writeErrors.length))
    );
    if (spec.isClientError !== isClient)
      throw new Mismatch(`isClientError ${spec.isClientError}, got ${err?.name}: ${err?.message}`);
  }
  if (spec.errorContains && !String(err?.message).toLowerCase().includes(spec.errorContains.toLowerCase()))
    throw new Mismatch(`error should contain "${spec.errorContains}", got "${err?.message}"`);
  const code = err?.code ?? err?.cause?.code;
  if (spec.errorCode !== undefined && code !== spec.errorCode)
    throw new Mismatch(`errorCode ${spec.errorCode}, got ${code} (${err?.message})`);
  if (spec.errorCodeName !== undefined && (err?.codeName ?? err?.cause?.codeName) !== spec.errorCodeName)
    throw new Mismatch(`errorCodeName ${spec.errorCodeName}, got ${err?.codeName} (${err?.message})`);
  if (spec.errorLabelsContain)
    for (const l of spec.errorLabelsContain) if (!err?.hasErrorLabel?.(l)) throw new Mismatch(`label ${l}`);
  if (spec.errorLabelsOmit)
    for (const l of spec.errorLabelsOmit) if (err?.hasErrorLabel?.(l)) throw new Mismatch(`label ${l} present`);
  if (spec.errorResponse) {
    // A client bulkWrite's top-level failure is the server's error, wrapped: its own errorResponse only says so.
    const server = err instanceof mongodb.MongoClientBulkWriteError && err.cause ? err.cause : err;
    match(spec.errorResponse, server?.errorResponse ?? server, ctx, 'errorResponse');
  }
  if (spec.writeErrors) {
    const got = mapToObj(err?.writeErrors) ?? {};
    for (const [k, v] of Object.entries(spec.writeErrors)) match(v, got[k], ctx, `writeErrors.${k}`, true);
    for (const k of Object.keys(got)) if (!(k in spec.writeErrors)) throw new Mismatch(`unexpected writeError at ${k}`);
  }
  if (spec.writeConcernErrors) match(spec.writeConcernErrors, err?.writeConcernErrors, ctx, 'writeConcernErrors');
  if (spec.expectResult !== undefined)
    match(
      spec.expectResult,
      err instanceof mongodb.MongoBulkWriteError ? bulkResult(err.result) : clientBulkResult(err?.partialResult),
      ctx,
      'partialResult',
    );
}

async function runTest(file, test, uri, internal) {
  const ctx = { entities: new Map(), events: new Map(), clients: [], failPoints: [] };
  try {
    for (const e of file.createEntities ?? []) {
      const [kind, spec] = Object.entries(e)[0];
      if (kind === 'client') {
        const uriOptions = { ...(spec.uriOptions ?? {}) };
        const client = new MongoClient(uri, { monitorCommands: true, serverSelectionTimeoutMS: 5000, ...uriOptions });
        const observe = new Set(spec.observeEvents ?? []);
        const ignore = new Set([
          ...(spec.ignoreCommandMonitoringEvents ?? []),
          'configureFailPoint',
          'hello',
          'isMaster',
          'ismaster',
          'saslStart',
          'saslContinue',
          'getnonce',
          'authenticate',
          'buildInfo',
          'endSessions',
        ]);
        const log = [];
        for (const ev of ['commandStarted', 'commandSucceeded', 'commandFailed']) {
          client.on(ev, (event) => {
            if (observe.has(`${ev}Event`) && !ignore.has(event.commandName)) log.push({ type: `${ev}Event`, event });
          });
        }
        await client.connect();
        ctx.clients.push(client);
        ctx.entities.set(spec.id, client);
        ctx.events.set(spec.id, log);
      } else if (kind === 'database') {
        ctx.entities.set(spec.id, ctx.entities.get(spec.client).db(spec.databaseName, spec.databaseOptions));
      } else if (kind === 'collection') {
        const o = spec.collectionOptions ?? {};
        ctx.entities.set(spec.id, ctx.entities.get(spec.database).collection(spec.collectionName, o));
      } else if (kind === 'session') {
        ctx.entities.set(spec.id, ctx.entities.get(spec.client).startSession(spec.sessionOptions));
      } else throw new Skip(`entity ${kind}`);
    }
    for (const data of file.initialData ?? []) {
      const db = internal.db(data.databaseName);
      await db
        .collection(data.collectionName)
        .drop()
        .catch(() => undefined);
      await db.createCollection(data.collectionName, {
        writeConcern: { w: 'majority' },
        ...(data.createOptions ?? {}),
      });
      if (data.documents.length)
        await db.collection(data.collectionName).insertMany(data.documents, { writeConcern: { w: 'majority' } });
    }
    for (const log of ctx.events.values()) log.length = 0;
    for (const op of test.operations) {
      let result;
      let error;
      try {
        result = await runOperation(op, ctx);
      } catch (e) {
        if (e instanceof Skip) throw e;
        error = e;
      }
      if (op.ignoreResultAndError) continue;
      if (op.expectError) {
        if (!error)
          throw new Mismatch(`operation ${op.name} should fail but succeeded with ${show(result)}`, {
            cause: 'succeeded',
          });
        try {
          errorMatches(op.expectError, error, ctx);
        } catch (e) {
          e.kind = 'error-mismatch';
          throw e;
        }
        continue;
      }
      if (error) {
        const m = new Mismatch(`operation ${op.name} failed: ${error.name} ${error.code ?? ''} ${error.message}`);
        m.kind = 'unexpected-error';
        throw m;
      }
      if (op.expectResult !== undefined) {
        try {
          match(
            op.expectResult,
            result,
            ctx,
            op.name,
            Array.isArray(result) ? (['find', 'aggregate'].includes(op.name) ? 'elements' : false) : true,
          );
        } catch (e) {
          e.kind = 'result';
          throw e;
        }
      }
      if (op.saveResultAsEntity) ctx.entities.set(op.saveResultAsEntity, result);
    }
    for (const exp of test.expectEvents ?? []) {
      const log = ctx.events.get(exp.client) ?? [];
      const kindsWanted = exp.eventType ?? 'command';
      if (kindsWanted !== 'command') throw new Skip(`expectEvents eventType ${kindsWanted}`);
      const actual = log;
      if (exp.ignoreExtraEvents ? actual.length < exp.events.length : actual.length !== exp.events.length) {
        const m = new Mismatch(
          `events: expected ${exp.events.length} got ${actual.length}: ${actual.map((a) => `${a.type}:${a.event.commandName}`).join(', ')}`,
        );
        m.kind = 'events';
        throw m;
      }
      exp.events.forEach((want, i) => {
        const [type, body] = Object.entries(want)[0];
        const got = actual[i];
        try {
          if (got.type !== type)
            throw new Mismatch(`event ${i}: ${got.type} ${got.event.commandName} instead of ${type}`);
          if (body.commandName && got.event.commandName !== body.commandName)
            throw new Mismatch(`event ${i}: commandName ${got.event.commandName} != ${body.commandName}`);
          if (body.databaseName && got.event.databaseName !== body.databaseName)
            throw new Mismatch(`event ${i}: databaseName`);
          if (body.command) match(body.command, got.event.command, ctx, `event${i}.command`, true);
          if (body.reply) match(body.reply, got.event.reply, ctx, `event${i}.reply`, true);
        } catch (e) {
          e.kind = 'events';
          throw e;
        }
      });
    }
    for (const out of test.outcome ?? []) {
      const docs = await internal
        .db(out.databaseName)
        .collection(out.collectionName)
        .find({}, { sort: { _id: 1 } })
        .toArray();
      try {
        match(out.documents, docs, ctx, `outcome ${out.collectionName}`, false);
      } catch (e) {
        e.kind = 'outcome';
        throw e;
      }
    }
    return { status: 'pass' };
  } catch (e) {
    if (e instanceof Skip) return { status: 'skip', reason: e.message };
    if (e instanceof Mismatch)
      return { status: 'fail', kind: e.kind ?? 'expected-error-but-succeeded', reason: e.message };
    return { status: 'fail', kind: 'runner-exception', reason: `${e.name}: ${e.message}` };
  } finally {
    for (const name of ctx.failPoints)
      await internal
        .db('admin')
        .command({ configureFailPoint: name, mode: 'off' })
        .catch(() => undefined);
    for (const v of ctx.entities.values())
      if (v && typeof v.endSession === 'function') await v.endSession().catch(() => undefined);
    await Promise.all(ctx.clients.map((c) => c.close().catch(() => undefined)));
  }
}

const server = await startServer();
process.on('exit', () => server.child.kill('SIGKILL'));
const internal = await new MongoClient(server.uri).connect();
const results = [];
for (const name of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  if (only && !name.includes(only)) continue;
  const file = EJSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'), { relaxed: true });
  const fileProblem = requirementProblem(file.runOnRequirements);
  for (const test of file.tests) {
    const id = `${name.replace('.json', '')}: ${test.description}`;
    const problem = fileProblem ?? requirementProblem(test.runOnRequirements);
    if (problem) {
      results.push({ id, status: 'n/a', reason: problem });
      continue;
    }
    if (test.skipReason) {
      results.push({ id, status: 'n/a', reason: `skipReason: ${test.skipReason}` });
      continue;
    }
    let r = await runTest(file, test, server.uri, internal);
    const deviation = DRIVER_DEVIATIONS.find(([re]) => re.test(id));
    if (deviation && r.status === 'fail') r = { status: 'driver', reason: deviation[1], detail: r.reason };
    results.push({ id, ...r });
    if (verbose || r.status === 'fail')
      console.log(`${r.status.toUpperCase()} ${id}${r.reason ? `\n    ${r.kind ?? ''} ${r.reason}` : ''}`);
  }
}
await internal.close();
server.child.kill('SIGTERM');
const by = (s) => results.filter((r) => r.status === s);
const group = (list) =>
  Object.entries(
    list.reduce((a, r) => {
      const k = r.reason.replace(/\d+\.\d+(\.\d+)?/g, (v) => v);
      a[k] = (a[k] ?? 0) + 1;
      return a;
    }, {}),
  ).sort((a, b) => b[1] - a[1]);
console.log('\n== not applicable to a standalone 8.0 server ==');
for (const [k, n] of group(by('n/a'))) console.log(`${String(n).padStart(4)}  ${k}`);
console.log('\n== skipped (applicable, not runnable here) ==');
for (const [k, n] of group(by('skip'))) console.log(`${String(n).padStart(4)}  ${k}`);
const fails = by('fail');
console.log('\n== failures by kind ==');
for (const [k, n] of Object.entries(
  fails.reduce((a, r) => {
    a[r.kind] = (a[r.kind] ?? 0) + 1;
    return a;
  }, {}),
))
  console.log(`${String(n).padStart(4)}  ${k}`);
const applicable = results.length - by('n/a').length;
console.log('\n== failing because of the Node driver, not the server ==');
for (const [k, n] of group(by('driver'))) console.log(`${String(n).padStart(4)}  ${k}`);
console.log(
  `\ntotal ${results.length}; applicable ${applicable}: passed ${by('pass').length}, failed ${fails.length}, driver-side failures ${by('driver').length}, skipped ${by('skip').length}; not applicable ${by('n/a').length}`,
);
const out = path.join(os.tmpdir(), 'event-loop-lab-crud-spec.json');
fs.writeFileSync(out, JSON.stringify(results, null, 1));
console.log(`every result: ${out}`);
