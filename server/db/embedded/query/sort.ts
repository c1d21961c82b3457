/**
 * Sorting in mongod's order: BSON comparison, missing as null, and an array field sorting by its
 * smallest element ascending and its largest descending. `$natural` is insertion order.
 */
import { type Document, MinKey } from 'bson';
import { compareValues, isPlainObject } from '../bson/compare';
import { isNumeric, toNumber } from '../bson/numbers';
import { CommandError } from '../errors';

const EMPTY_ARRAY_KEY = new MinKey();

function collect(value: unknown, parts: string[], at: number, out: unknown[]): void {
  if (at === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(EMPTY_ARRAY_KEY);
      for (const element of value) out.push(element);
    } else {
      out.push(value);
    }
    return;
  }
  if (Array.isArray(value)) {
    const part = parts[at]!;
    if (/^\d+$/.test(part) && value[Number(part)] !== undefined) collect(value[Number(part)], parts, at + 1, out);
    for (const element of value) if (isPlainObject(element)) collect(element, parts, at, out);
    return;
  }
  if (isPlainObject(value)) collect(value[parts[at]!], parts, at + 1, out);
  else out.push(undefined);
}

/** The value a document sorts by on one path and direction. */
export function sortKey(doc: Document, parts: string[], direction: 1 | -1): unknown {
  if (parts.length === 1 && !Array.isArray(doc[parts[0]!])) return doc[parts[0]!];
  const values: unknown[] = [];
  collect(doc, parts, 0, values);
  if (values.length === 0) return undefined;
  let best = values[0];
  for (const value of values) if (compareValues(value, best) * direction < 0) best = value;
  return best;
}

interface SortField {
  parts: string[];
  direction: 1 | -1;
}

function parseSort(spec: Document): { fields: SortField[]; natural?: 1 | -1 } {
  const fields: SortField[] = [];
  let natural: 1 | -1 | undefined;
  for (const [path, raw] of Object.entries(spec)) {
    if (isPlainObject(raw))
      throw new CommandError(
        'CommandNotSupported',
        `sorting by ${JSON.stringify(raw)} ($meta) is not supported by the embedded server`,
      );
    if (!isNumeric(raw) || (toNumber(raw) !== 1 && toNumber(raw) !== -1))
      throw new CommandError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    const direction = toNumber(raw) as 1 | -1;
    if (path === '$natural') natural = direction;
    else fields.push({ parts: path.split('.'), direction });
  }
  return { fields, natural };
}

/** The documents in the order `spec` asks for (a new array; the input is left alone). */
export function sortDocuments(docs: Document[], spec: Document): Document[] {
  const { fields, natural } = parseSort(spec);
  let out = natural === -1 ? [...docs].reverse() : [...docs];
  if (fields.length === 0) return out;
  const keyed = out.map((doc) => ({ doc, keys: fields.map((f) => sortKey(doc, f.parts, f.direction)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const order = compareValues(a.keys[i], b.keys[i]);
      if (order !== 0) return order * fields[i]!.direction;
    }
    return 0;
  });
  out = keyed.map((k) => k.doc);
  return out;
}
