/**
 * Update paths: resolving the positional `$`, `$[]` and `$[<id>]` into concrete paths against
 * one document, and reading and writing a value at a concrete path.
 */
import type { Document } from 'bson';
import { isPlainObject } from '../bson/compare';
import { CommandError } from '../errors';
import { compileFilter, type Predicate } from '../query/filter';

export interface PathContext {
  /** The array position the query matched, for `$`. */
  matchedIndex?: number;
  /** arrayFilters by identifier. */
  filters: Map<string, Predicate>;
  used: Set<string>;
}

const IDENTIFIER = /^\$\[([a-z][a-zA-Z0-9]*)?\]$/;

/** Compiles arrayFilters: each filter's fields all start with one identifier. */
export function compileArrayFilters(arrayFilters: Document[] | undefined): Map<string, Predicate> {
  const out = new Map<string, Predicate>();
  for (const filter of arrayFilters ?? []) {
    if (!isPlainObject(filter)) throw new CommandError('TypeMismatch', 'each array filter must be an object');
    const ids = new Set(Object.keys(filter).map((k) => k.split('.')[0]!));
    if (ids.size !== 1)
      throw new CommandError(
        'FailedToParse',
        'Error parsing array filter :: caused by :: Expected a single top-level field name',
      );
    const [id] = ids;
    if (!/^[a-z][a-zA-Z0-9]*$/.test(id!))
      throw new CommandError(
        'BadValue',
        `The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    if (out.has(id!))
      throw new CommandError('FailedToParse', `Found multiple array filters with the same top-level field name ${id}`);
    const p = compileFilter(filter);
    out.set(id!, (element) => p({ [id!]: element }));
  }
  return out;
}

/** Every concrete path `parts` names in `doc` ($ and $[...] replaced by indexes). */
export function expandPath(doc: unknown, parts: string[], ctx: PathContext): string[][] {
  const out: string[][] = [];
  const visit = (value: unknown, at: number, prefix: string[]) => {
    if (at === parts.length) {
      out.push(prefix);
      return;
    }
    const part = parts[at]!;
    if (part === '$') {
      if (ctx.matchedIndex === undefined)
        throw new CommandError('BadValue', 'The positional operator did not find the match needed from the query.');
      const index = String(ctx.matchedIndex);
      visit(Array.isArray(value) ? value[ctx.matchedIndex] : undefined, at + 1, [...prefix, index]);
      return;
    }
    const all = IDENTIFIER.exec(part);
    if (all) {
      if (!Array.isArray(value)) {
        throw new CommandError(
          'BadValue',
          `The path '${prefix.join('.')}' must exist in the document in order to apply array updates.`,
        );
      }
      const id = all[1];
      let test: Predicate | undefined;
      if (id !== undefined) {
        test = ctx.filters.get(id);
        if (!test)
          throw new CommandError(
            'BadValue',
            `No array filter found for identifier '${id}' in path '${parts.join('.')}'`,
          );
        ctx.used.add(id);
      }
      value.forEach((element, i) => {
        if (!test || test(element)) visit(element, at + 1, [...prefix, String(i)]);
      });
      return;
    }
    const next = Array.isArray(value)
      ? /^\d+$/.test(part)
        ? value[Number(part)]
        : undefined
      : isPlainObject(value)
        ? value[part]
        : undefined;
    visit(next, at + 1, [...prefix, part]);
  };
  visit(doc, 0, []);
  return out;
}

export function getAt(doc: unknown, parts: string[]): unknown {
  let value = doc;
  for (const part of parts) {
    if (Array.isArray(value)) value = /^\d+$/.test(part) ? value[Number(part)] : undefined;
    else if (isPlainObject(value)) value = value[part];
    else return undefined;
  }
  return value;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}

/** The container and key that hold `parts`, creating missing objects on the way. */
function parentOf(
  doc: Document,
  parts: string[],
  create: boolean,
): { parent: Record<string, unknown> | unknown[]; key: string } | undefined {
  let value: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    let next: unknown;
    if (Array.isArray(value)) {
      if (!/^\d+$/.test(part))
        throw new CommandError('PathNotViable', `Cannot create field '${part}' in element {${parts[i - 1]}: [...]}`);
      next = value[Number(part)];
      if (next === undefined || next === null) {
        if (!create) return undefined;
        while (value.length < Number(part)) value.push(null);
        value[Number(part)] = next = {};
      }
    } else {
      const object = value as Record<string, unknown>;
      next = object[part];
      if (next === undefined) {
        if (!create) return undefined;
        object[part] = next = {};
      }
    }
    if (!isPlainObject(next) && !Array.isArray(next)) {
      if (!create) return undefined;
      throw new CommandError(
        'PathNotViable',
        `Cannot create field '${parts[i + 1]}' in element {${part}: ${describe(next)}}`,
      );
    }
    value = next;
  }
  return { parent: value as Record<string, unknown> | unknown[], key: parts.at(-1)! };
}

export function setAt(doc: Document, parts: string[], value: unknown): void {
  const { parent, key } = parentOf(doc, parts, true)!;
  if (Array.isArray(parent)) {
    if (!/^\d+$/.test(key)) throw new CommandError('PathNotViable', `Cannot create field '${key}' in an array`);
    while (parent.length < Number(key)) parent.push(null);
    parent[Number(key)] = value;
  } else {
    parent[key] = value;
  }
}

export function unsetAt(doc: Document, parts: string[]): void {
  const found = parentOf(doc, parts, false);
  if (!found) return;
  const { parent, key } = found;
  // $unset on an array element leaves null in its place, as mongod does.
  if (Array.isArray(parent)) {
    if (/^\d+$/.test(key) && Number(key) < parent.length) parent[Number(key)] = null;
  } else {
    delete parent[key];
  }
}
