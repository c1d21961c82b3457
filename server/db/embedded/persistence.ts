/**
 * Optional --dbpath persistence: the whole store is written as one file of BSON records
 * (a collection header, then its documents) shortly after each change and on exit, and
 * read back at start. Simple rather than durable: this is a teaching lab's database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BSON, type Document } from 'bson';
import { decodeDocument } from './bson/wire';
import { Store } from './store';

const FILE = 'embedded-store.bson';
const FLUSH_DELAY_MS = 500;

export interface Persistence {
  store: Store;
  /** Writes the store now if it changed since the last write. */
  flush(): void;
}

function load(store: Store, file: string): void {
  if (!fs.existsSync(file)) return;
  const data = fs.readFileSync(file);
  let collection: ReturnType<ReturnType<Store['db']>['getOrCreate']>['collection'] | undefined;
  for (let at = 0; at < data.length;) {
    const size = data.readInt32LE(at);
    const record = decodeDocument(data.subarray(at, at + size));
    at += size;
    if (record.t === 'view') {
      store.db(record.db as string).createView(record.name as string, {
        viewOn: record.viewOn as string,
        pipeline: record.pipeline as Document[],
      });
    } else if (record.t === 'collection') {
      collection = store.db(record.db as string).getOrCreate(record.name as string).collection;
      if (record.options) collection.setOptions(record.options as Document);
      for (const spec of record.indexes as Document[]) {
        if (spec.name !== '_id_') collection.createIndex(spec as Parameters<typeof collection.createIndex>[0]);
      }
    } else if (collection) {
      collection.insert(record.doc as Document, { bypassValidation: true });
    }
  }
}

function snapshot(store: Store): Buffer {
  const parts: Uint8Array[] = [];
  for (const db of store.databases.values()) {
    for (const collection of db.collections.values()) {
      parts.push(
        BSON.serialize({
          t: 'collection',
          db: db.name,
          name: collection.name,
          indexes: collection.indexSpecs(),
          options: collection.options,
        }),
      );
      for (const doc of collection.docs.values()) parts.push(BSON.serialize({ t: 'doc', doc }));
    }
    for (const [name, view] of db.views)
      parts.push(BSON.serialize({ t: 'view', db: db.name, name, viewOn: view.viewOn, pipeline: view.pipeline }));
  }
  return Buffer.concat(parts);
}

export function openPersistence(dir: string): Persistence {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, FILE);
  const store = new Store();
  load(store, file);
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!dirty) return;
    dirty = false;
    // Write then rename, so a crash mid-write leaves the previous snapshot intact.
    fs.writeFileSync(`${file}.tmp`, snapshot(store));
    fs.renameSync(`${file}.tmp`, file);
  };
  store.onChange = () => {
    dirty = true;
    timer ??= setTimeout(flush, FLUSH_DELAY_MS);
  };
  return { store, flush };
}
