/**
 * Aggregation stages. Each stage builds new documents and leaves its input alone, so stored
 * documents can be fed in without a copy. A stage this server does not run is an error
 * naming it (mongod's 40324 for a name it does not know at all).
 */
import type { Document } from 'bson';
import { activeCollator, isPlainObject, matchKey, withCollator } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { evaluate, resolvePath, type Variables } from '../query/expressions';
import { compileFilter } from '../query/filter';
import { compileProjection } from '../query/projection';
import { sortDocuments } from '../query/sort';
import { setAt } from '../update/paths';
import { cloneDoc } from '../values';
import { checkDeadline, pause, SLICE_MS, YIELD_THRESHOLD } from '../scan';
import { group } from './group';

export interface PipelineOptions {
  variables: Variables;
  /** The documents of another collection of the same database, for $lookup and $unionWith. */
  resolve?: (collection: string) => Document[];
  /** Called between stages and inside long loops: throws when the time limit has passed. */
  check?: () => void;
}

type Stage = (docs: Document[], arg: unknown, options: PipelineOptions) => Document[];

const KNOWN_UNSUPPORTED = [
  '$bucket',
  '$bucketAuto',
  '$graphLookup',
  '$setWindowFields',
  '$densify',
  '$fill',
  '$redact',
  '$geoNear',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$changeStream',
  '$indexStats',
  '$listSessions',
  '$planCacheStats',
  '$currentOp',
  '$shardedDataDistribution',
  '$querySettings',
  '$listSearchIndexes',
  '$changeStreamSplitLargeEvent',
];

function count(value: unknown, stage: string): number {
  if (!isNumeric(value) || !Number.isInteger(toNumber(value)) || toNumber(value) < 0)
    throw new CommandError('Location15958', `the ${stage} must be a non-negative whole number`);
  return toNumber(value);
}

function fieldPath(value: unknown, stage: string): string[] {
  if (typeof value !== 'string' || !value.startsWith('$') || value.startsWith('$$'))
    throw new CommandError('Location28808', `${stage} field path must be a string starting with $`);
  return value.slice(1).split('.');
}

const addFields: Stage = (docs, arg, { variables }) => {
  if (!isPlainObject(arg)) throw new CommandError('Location40272', '$addFields specification stage must be an object');
  const entries = Object.entries(arg);
  return docs.map((doc) => {
    const out = cloneDoc(doc);
    const scope = { ...variables, ROOT: doc };
    for (const [path, expr] of entries) {
      const value = evaluate(expr, doc, scope);
      if (value === undefined) unsetField(out, path);
      else setAt(out, path.split('.'), value);
    }
    return out;
  });
};

function unsetField(doc: Document, path: string): void {
  const parts = path.split('.');
  const parent = parts.slice(0, -1).reduce<unknown>((v, p) => (isPlainObject(v) ? v[p] : undefined), doc);
  if (isPlainObject(parent)) delete parent[parts.at(-1)!];
}

const unwind: Stage = (docs, arg) => {
  const spec = typeof arg === 'string' ? { path: arg } : (arg as Document);
  if (!isPlainObject(spec))
    throw new CommandError('Location15981', 'expected either a string or an object as specification for $unwind stage');
  const parts = fieldPath(spec.path, '$unwind');
  const keepEmpty = spec.preserveNullAndEmptyArrays === true;
  const indexField = typeof spec.includeArrayIndex === 'string' ? spec.includeArrayIndex : undefined;
  const out: Document[] = [];
  for (const doc of docs) {
    const value = resolvePath(doc, parts);
    const emit = (element: unknown, index: number | null) => {
      const copy = cloneDoc(doc);
      if (element === undefined) unsetField(copy, parts.join('.'));
      else setAt(copy, parts, element);
      if (indexField) copy[indexField] = index === null ? null : index;
      out.push(copy);
    };
    if (Array.isArray(value) && value.length > 0) value.forEach((element, i) => emit(element, i));
    else if (value !== undefined && value !== null && !Array.isArray(value)) emit(value, null);
    else if (keepEmpty) emit(Array.isArray(value) ? undefined : value, null);
  }
  return out;
};

const lookup: Stage = (docs, arg, { variables, resolve, check }) => {
  if (!isPlainObject(arg) || typeof arg.from !== 'string' || typeof arg.as !== 'string') {
    throw new CommandError(
      'FailedToParse',
      "$lookup needs 'from' and 'as' strings (and localField/foreignField, a pipeline, or both)",
    );
  }
  if (!resolve) throw new CommandError('CommandNotSupported', '$lookup is not supported here');
  const foreign = resolve(arg.from);
  const as = arg.as.split('.');
  const byField = typeof arg.localField === 'string' && typeof arg.foreignField === 'string';
  if (!byField && !Array.isArray(arg.pipeline))
    throw new CommandError('FailedToParse', '$lookup needs localField and foreignField, or a pipeline');
  let index: Map<string, Document[]> | undefined;
  if (byField) {
    index = new Map();
    const parts = (arg.foreignField as string).split('.');
    for (const doc of foreign) {
      const value = resolvePath(doc, parts);
      const keys = Array.isArray(value) ? (value.length === 0 ? ['null'] : value.map(matchKey)) : [matchKey(value)];
      for (const key of new Set(keys)) (index.get(key) ?? index.set(key, []).get(key)!).push(doc);
    }
  }
  const localParts = byField ? (arg.localField as string).split('.') : [];
  const letSpec = isPlainObject(arg.let) ? arg.let : {};
  return docs.map((doc) => {
    let matches = foreign;
    if (index) {
      const value = resolvePath(doc, localParts);
      const keys = Array.isArray(value) ? value.map(matchKey) : [matchKey(value)];
      const hits = new Set(keys.flatMap((k) => index!.get(k) ?? []));
      matches = foreign.filter((d) => hits.has(d));
    }
    if (Array.isArray(arg.pipeline)) {
      const vars = { ...variables };
      for (const [name, expr] of Object.entries(letSpec)) vars[name] = evaluate(expr, doc, { ...variables, ROOT: doc });
      matches = runStages(matches, arg.pipeline as Document[], { variables: vars, resolve, check });
    }
    const copy = cloneDoc(doc);
    setAt(copy, as, matches.map(cloneDoc));
    return copy;
  });
};

function sample(docs: Document[], arg: unknown): Document[] {
  const size = isPlainObject(arg) ? count(arg.size, '$sample size') : Number.NaN;
  if (Number.isNaN(size)) throw new CommandError('Location28745', '$sample stage must specify a size');
  const pool = [...docs];
  // A partial Fisher–Yates shuffle: each document at most once, as in mongod.
  for (let i = 0; i < Math.min(size, pool.length); i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, size);
}

const STAGES: Record<string, Stage> = {
  $match: (docs, arg, { variables }) => {
    if (!isPlainObject(arg))
      throw new CommandError('Location15959', 'the match filter must be an expression in an object');
    const test = compileFilter(arg, variables);
    return docs.filter((doc) => test(doc));
  },
  $sort: (docs, arg) => {
    if (!isPlainObject(arg) || Object.keys(arg).length === 0)
      throw new CommandError('Location15973', 'the $sort key specification must be an object');
    return sortDocuments(docs, arg);
  },
  $skip: (docs, arg) => docs.slice(count(arg, '$skip')),
  $limit: (docs, arg) => {
    const n = count(arg, '$limit');
    if (n === 0) throw new CommandError('Location15958', 'the limit must be positive');
    return docs.slice(0, n);
  },
  $count: (docs, arg) => {
    if (typeof arg !== 'string' || arg === '' || arg.startsWith('$') || arg.includes('.'))
      throw new CommandError('Location40156', 'the count field must be a non-empty string without $ or .');
    return docs.length === 0 ? [] : [{ [arg]: docs.length }];
  },
  $project: (docs, arg, { variables }) => {
    if (!isPlainObject(arg) || Object.keys(arg).length === 0)
      throw new CommandError('Location51272', '$project specification must be a non-empty object');
    const project = compileProjection(arg, 'aggregate', variables);
    return docs.map((doc) => project(doc));
  },
  $unset: (docs, arg) => {
    const fields = typeof arg === 'string' ? [arg] : arg;
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((f) => typeof f === 'string'))
      throw new CommandError('Location31002', '$unset specification must be a string or an array of strings');
    const project = compileProjection(Object.fromEntries(fields.map((f) => [f, 0])), 'aggregate');
    return docs.map((doc) => project(doc));
  },
  $addFields: addFields,
  $set: addFields,
  $replaceRoot: (docs, arg, { variables }) =>
    replaceRoot(docs, isPlainObject(arg) ? arg.newRoot : undefined, variables),
  $replaceWith: (docs, arg, { variables }) => replaceRoot(docs, arg, variables),
  $unwind: unwind,
  $group: (docs, arg, { variables }) => group(docs, arg, variables),
  $sortByCount: (docs, arg, { variables }) =>
    sortDocuments(group(docs, { _id: arg, count: { $sum: 1 } }, variables), { count: -1 }),
  $sample: sample,
  $lookup: lookup,
  $unionWith: (docs, arg, options) => {
    const spec = typeof arg === 'string' ? { coll: arg } : (arg as Document);
    if (!isPlainObject(spec) || typeof spec.coll !== 'string' || !options.resolve)
      throw new CommandError('FailedToParse', '$unionWith needs a collection name');
    const other = options.resolve(spec.coll);
    return [
      ...docs,
      ...(Array.isArray(spec.pipeline) ? runStages(other, spec.pipeline as Document[], options) : other),
    ];
  },
  $facet: (docs, arg, options) => {
    if (!isPlainObject(arg)) throw new CommandError('Location15947', 'a facet must be an object');
    const out: Document = {};
    for (const [name, pipeline] of Object.entries(arg)) out[name] = runStages(docs, pipeline as Document[], options);
    return [out];
  },
};

function replaceRoot(docs: Document[], expr: unknown, variables: Variables): Document[] {
  return docs.map((doc) => {
    const value = evaluate(expr, doc, { ...variables, ROOT: doc });
    if (!isPlainObject(value))
      throw new CommandError(
        'Location40228',
        `'newRoot' expression must evaluate to an object, but resulting value was of type ${typeof value}`,
      );
    return value;
  });
}

/** Stages that produce the pipeline's input, run by the aggregate command itself: only valid first. */
export const SOURCE_STAGES = ['$documents', '$collStats', '$listLocalSessions'];

/** Checks every stage name before running any, as mongod parses the whole pipeline first. */
export function checkStages(pipeline: Document[]): void {
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1)
      throw new CommandError('Location40323', 'A pipeline stage specification object must contain exactly one field.');
    const name = Object.keys(stage)[0]!;
    if (SOURCE_STAGES.includes(name))
      throw new CommandError('Location40602', `{${name}} is only valid as the first stage in a pipeline`);
    if (name in STAGES || name === '$out' || name === '$merge') continue;
    if (KNOWN_UNSUPPORTED.includes(name))
      throw new CommandError('CommandNotSupported', `the ${name} stage is not supported by the embedded server`);
    throw new CommandError('Location40324', `Unrecognized pipeline stage name: '${name}'`);
  }
}

export function runStages(docs: Document[], pipeline: Document[], options: PipelineOptions): Document[] {
  checkStages(pipeline);
  let out = docs;
  for (const stage of pipeline) {
    options.check?.();
    const name = Object.keys(stage)[0]!;
    const run = STAGES[name];
    if (!run)
      throw new CommandError('CommandNotSupported', `${name} may only be the last stage of an aggregate command`);
    out = run(out, stage[name], options);
  }
  return out;
}

/** Stages that take each document on its own: a long input is run through them a slice at a time. */
const PER_DOCUMENT = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$unwind',
]);
const SLICE_DOCS = 512;

/**
 * runStages for reads that may be long (a view over a big collection): a short input without a
 * time limit runs at once; otherwise the per-document stages go a slice at a time, stepping
 * aside every few milliseconds so other connections are served, and the time limit is checked
 * between slices and stages (whole-input stages such as $sort and $group run in one go).
 */
export function runStagesSoon(
  docs: Document[],
  pipeline: Document[],
  options: PipelineOptions,
  deadline: number | undefined,
): Document[] | Promise<Document[]> {
  if (docs.length < YIELD_THRESHOLD && deadline === undefined) return runStages(docs, pipeline, options);
  checkStages(pipeline);
  return runSliced(docs, pipeline, options, deadline);
}

async function runSliced(
  docs: Document[],
  pipeline: Document[],
  options: PipelineOptions,
  deadline: number | undefined,
): Promise<Document[]> {
  const collator = activeCollator();
  const check = () => {
    checkDeadline(deadline);
    options.check?.();
  };
  const sliced: PipelineOptions = { ...options, check };
  let sliceStart = performance.now();
  const stepAside = async () => {
    if (performance.now() - sliceStart > SLICE_MS) {
      await pause();
      sliceStart = performance.now();
    }
    check();
  };
  let out = docs;
  for (const stage of pipeline) {
    await stepAside();
    const name = Object.keys(stage)[0]!;
    const run = STAGES[name];
    if (!run)
      throw new CommandError('CommandNotSupported', `${name} may only be the last stage of an aggregate command`);
    if (!PER_DOCUMENT.has(name) || out.length <= SLICE_DOCS) {
      const input = out;
      out = withCollator(collator, () => run(input, stage[name], sliced));
      continue;
    }
    const next: Document[] = [];
    for (let at = 0; at < out.length; at += SLICE_DOCS) {
      const slice = out.slice(at, at + SLICE_DOCS);
      for (const doc of withCollator(collator, () => run(slice, stage[name], sliced))) next.push(doc);
      await stepAside();
    }
    out = next;
  }
  check();
  return out;
}

export const SUPPORTED_STAGES = Object.keys(STAGES);
export const UNSUPPORTED_STAGES = KNOWN_UNSUPPORTED;
