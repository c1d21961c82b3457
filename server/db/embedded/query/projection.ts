/**
 * Projections for find (with $slice, $elemMatch and the positional `a.$`) and for $project,
 * with mongod's rules: inclusion keeps the document's own field order and _id unless told
 * otherwise, subfields of arrays apply to each element, computed fields are aggregation
 * expressions. Values are copied as they are, so every BSON type survives.
 */
import type { Document } from 'bson';
import { isPlainObject } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';
import { evaluate, type Variables } from './expressions';
import { compileFilter, type MatchDetails } from './filter';

interface Node {
  include?: boolean;
  exclude?: boolean;
  expr?: { value: unknown };
  slice?: [number, number | undefined];
  elemMatch?: (element: unknown) => boolean;
  positional?: boolean;
  children?: Map<string, Node>;
}

type Mode = 'find' | 'aggregate';

function child(node: Node, key: string): Node {
  node.children ??= new Map();
  let next = node.children.get(key);
  if (!next) node.children.set(key, (next = {}));
  return next;
}

function sliceArgs(arg: unknown): [number, number | undefined] {
  if (isNumeric(arg)) return [toNumber(arg), undefined];
  if (Array.isArray(arg) && arg.length === 2 && arg.every(isNumeric)) {
    const limit = toNumber(arg[1]);
    if (limit <= 0) throw new CommandError('BadValue', '$slice limit must be positive');
    return [toNumber(arg[0]), limit];
  }
  throw new CommandError('BadValue', '$slice only supports numbers and [skip, limit] arrays');
}

function slice(value: unknown[], [a, b]: [number, number | undefined]): unknown[] {
  if (b === undefined) return a >= 0 ? value.slice(0, a) : value.slice(Math.max(0, value.length + a));
  const start = a >= 0 ? a : Math.max(0, value.length + a);
  return value.slice(start, start + b);
}

interface Parsed {
  root: Node;
  inclusion: boolean;
  keepId: boolean;
}

function parse(spec: Document, mode: Mode, vars: Variables): Parsed {
  const root: Node = {};
  let inclusion: boolean | undefined;
  let keepId = true;
  const setMode = (incl: boolean, path: string) => {
    if (inclusion !== undefined && inclusion !== incl) {
      throw new CommandError(
        'Location31254',
        `Cannot do ${incl ? 'inclusion' : 'exclusion'} on field ${path} in ${incl ? 'exclusion' : 'inclusion'} projection`,
      );
    }
    inclusion = incl;
  };
  for (const [rawPath, value] of Object.entries(spec)) {
    let path = rawPath;
    const positional = path.endsWith('.$');
    if (positional) {
      if (mode !== 'find') throw new CommandError('Location31324', 'positional projection is only allowed in find');
      path = path.slice(0, -2);
    }
    if (path.split('.').some((p) => p === '' || p.startsWith('$')))
      throw new CommandError('Location31250', `invalid projection path: ${rawPath}`);
    const node = path.split('.').reduce(child, root);
    const isFlag = typeof value === 'boolean' || isNumeric(value);
    if (path === '_id' && isFlag && !(value === true || (isNumeric(value) && toNumber(value) !== 0))) {
      keepId = false;
      node.exclude = true;
      continue;
    }
    if (positional) {
      node.positional = true;
      setMode(true, rawPath);
    } else if (isFlag) {
      const on = value === true || (isNumeric(value) && toNumber(value) !== 0);
      if (path !== '_id') setMode(on, path);
      if (on) node.include = true;
      else node.exclude = true;
    } else if (
      mode === 'find' &&
      isPlainObject(value) &&
      Object.keys(value).length === 1 &&
      ('$slice' in value || '$elemMatch' in value)
    ) {
      if ('$slice' in value) node.slice = sliceArgs(value.$slice);
      else {
        if (!isPlainObject(value.$elemMatch)) throw new CommandError('BadValue', '$elemMatch needs an Object');
        const p = compileFilter({ v: { $elemMatch: value.$elemMatch } }, vars);
        node.elemMatch = (element) => p({ v: [element] });
        setMode(true, path);
      }
    } else if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$') && k !== '$meta')) {
      setMode(true, path);
      node.expr = { value };
    } else if (isPlainObject(value) && '$meta' in value) {
      throw new CommandError('CommandNotSupported', '$meta projections are not supported by the embedded server');
    } else if (isPlainObject(value)) {
      // A nested projection: { a: { b: 1 } } is { 'a.b': 1 }.
      const nested = parse(value as Document, mode, vars);
      if (nested.root.children) for (const [k, n] of nested.root.children) (node.children ??= new Map()).set(k, n);
      setMode(nested.inclusion, path);
    } else {
      setMode(true, path);
      node.expr = { value };
    }
  }
  return { root, inclusion: inclusion ?? false, keepId };
}

function adjust(node: Node, value: unknown, details: MatchDetails | undefined): unknown {
  if (!Array.isArray(value)) return value;
  if (node.slice) return slice(value, node.slice);
  if (node.elemMatch) {
    const found = value.find(node.elemMatch);
    return found === undefined ? undefined : [found];
  }
  if (node.positional) {
    const at = details?.arrayIndex;
    if (at === undefined || at >= value.length) {
      throw new CommandError(
        'Location51246',
        "Executor error during find command :: caused by :: positional operator '.$' couldn't find a matching element in the array",
      );
    }
    return [value[at]];
  }
  return value;
}

function includeIn(
  doc: Record<string, unknown>,
  node: Node,
  root: unknown,
  vars: Variables,
  details: MatchDetails | undefined,
  top: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const children = node.children!;
  for (const key of Object.keys(doc)) {
    const spec = children.get(key);
    if (!spec || spec.expr || spec.exclude) continue;
    const value = doc[key];
    if (spec.include || spec.positional || spec.elemMatch || (spec.slice && !spec.children)) {
      const adjusted = adjust(spec, value, details);
      if (adjusted !== undefined) out[key] = adjusted;
    } else if (spec.children) {
      const inner = includeValue(value, spec, root, vars, details);
      if (inner !== undefined) out[key] = inner;
    }
  }
  for (const [key, spec] of children) {
    if (spec.expr) {
      const value = evaluate(spec.expr.value, root, vars);
      if (value !== undefined) out[key] = value;
    } else if (spec.children && !(key in doc) && [...spec.children.values()].some((c) => c.expr)) {
      out[key] = includeIn({}, spec, root, vars, details, false);
    }
  }
  void top;
  return out;
}

function includeValue(
  value: unknown,
  node: Node,
  root: unknown,
  vars: Variables,
  details: MatchDetails | undefined,
): unknown {
  if (Array.isArray(value)) {
    return value.flatMap((element) =>
      isPlainObject(element) || Array.isArray(element) ? [includeValue(element, node, root, vars, details)] : [],
    );
  }
  if (isPlainObject(value)) return includeIn(value, node, root, vars, details, false);
  return undefined;
}

function excludeIn(
  doc: Record<string, unknown>,
  node: Node,
  details: MatchDetails | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    const spec = node.children?.get(key);
    const value = doc[key];
    if (!spec) out[key] = value;
    else if (spec.exclude) continue;
    else if (spec.children) out[key] = excludeValue(value, spec, details);
    else {
      const adjusted = adjust(spec, value, details);
      if (adjusted !== undefined) out[key] = adjusted;
    }
  }
  return out;
}

function excludeValue(value: unknown, node: Node, details: MatchDetails | undefined): unknown {
  if (Array.isArray(value)) return value.map((element) => excludeValue(element, node, details));
  if (isPlainObject(value)) return excludeIn(value, node, details);
  return value;
}

export type Projector = (doc: Document, details?: MatchDetails) => Document;

export function compileProjection(spec: Document, mode: Mode, vars: Variables = {}): Projector {
  const { root, inclusion, keepId } = parse(spec, mode, vars);
  if (!inclusion) return (doc, details) => excludeIn(doc, root, details);
  const idNode = root.children?.get('_id');
  return (doc, details) => {
    const out = includeIn(doc, root, doc, { ...vars, ROOT: doc }, details, true);
    if (!keepId || '_id' in out || doc._id === undefined || idNode?.expr) return out;
    return { _id: doc._id, ...out };
  };
}
