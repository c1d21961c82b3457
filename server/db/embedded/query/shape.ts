/** Sort, skip, limit and projection over already-matched documents, in mongod's order. */
import type { Document } from 'bson';
import type { Variables } from './expressions';
import type { Predicate } from './filter';
import { compileProjection } from './projection';
import { sortDocuments } from './sort';

export interface ShapeOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
  /** The compiled filter, run again per returned document for a positional projection's `$`. */
  filter?: Predicate;
  variables?: Variables;
}

export function shape(docs: Document[], options: ShapeOptions): Document[] {
  const { sort, skip = 0, limit = 0 } = options;
  let out = docs;
  if (sort && Object.keys(sort).length > 0) out = sortDocuments(out, sort);
  if (skip || limit) out = out.slice(skip, limit ? skip + limit : undefined);
  const projection = options.projection && Object.keys(options.projection).length > 0 ? options.projection : undefined;
  if (projection) {
    const project = compileProjection(projection, 'find', options.variables);
    const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
    out = out.map((doc) => {
      if (!positional || !options.filter) return project(doc);
      const details = {};
      options.filter(doc, details);
      return project(doc, details);
    });
  }
  return out;
}
