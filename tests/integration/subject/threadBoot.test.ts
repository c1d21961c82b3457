/**
 * The compiled database thread starts through threadBoot.cjs, which keeps V8's code cache
 * beside the bundle: the first thread writes it, later threads start from it, and a cache
 * V8 cannot use (another Node, a damaged file) is rewritten rather than trusted.
 * Real threads, a real bundle (compiled as the lab compiles it), the embedded database.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { createExecutor } from '../../../server/subject/blocking/executor';
import { childBundle } from '../../../server/subject/bundle';
import { THREAD_ENTRY_ENV } from '../../../server/subject/messages';
import { type Database, startDatabase } from './harness';

let database: Database;
let bundle: string;

beforeAll(async () => {
  database = await startDatabase();
  // A bundle of this file's own, not the run's shared build (tests/setup/useBuild.ts): this file
  // damages the cache beside it, and must see its own threads, not another file's, rewrite it.
  globalThis.__eventLoopLabLaunch = undefined;
  const built = await childBundle();
  if (!built) throw new Error('the subject could not be compiled');
  bundle = built.dbThread;
  process.env[THREAD_ENTRY_ENV] = bundle;
});
afterAll(async () => {
  delete process.env[THREAD_ENTRY_ENV];
  await database?.stop();
});

/** Starts `threads` compiled threads, asks each for alice, and stops them. */
async function findAliceOnThreads(threads: number): Promise<unknown[]> {
  const client = { poolSize: 1, minPoolSize: 1, dbLatencyMs: 0, monitorCommands: false };
  const executor = await createExecutor(
    { uri: database.server.uri, dbName: LAB_DB_NAME, client, poolGauge: new SharedArrayBuffer(8) },
    threads,
    () => 10_000,
  );
  try {
    const replies = await Promise.all(
      Array.from({ length: threads }, (_, i) => executor.call('findOne', [{ username: 'alice' }], `t${i}`)),
    );
    return replies.map((reply) => (reply.ok ? 'ok' : reply.error));
  } finally {
    await executor.close();
  }
}

describe('a compiled database thread', () => {
  it('writes its code cache beside the bundle, and threads started from it serve queries', async () => {
    const cache = `${bundle}.cache`;
    expect(bundle).toMatch(/dbThread\.cjs$/);
    expect(await findAliceOnThreads(1)).toEqual(['ok']);
    const written = await stat(cache);
    expect(written.size).toBeGreaterThan(100_000);
    expect(await findAliceOnThreads(4)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('rewrites a cache V8 rejects instead of failing', async () => {
    const cache = `${bundle}.cache`;
    await writeFile(cache, Buffer.from('not a V8 code cache'));
    expect(await findAliceOnThreads(2)).toEqual(['ok', 'ok']);
    const rewritten = await readFile(cache);
    expect(rewritten.length).toBeGreaterThan(100_000);
    expect(rewritten.includes('not a V8 code cache')).toBe(false);
  });
});
