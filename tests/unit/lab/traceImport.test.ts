/** A streamed import: checked as it arrives, refused past its limit, and never leaves a partial file. */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { TRACE_VERSION } from '../../../common/trace';
import { RunStore } from '../../../server/lab/runStore';
import { importTraceStream } from '../../../server/lab/traceImport';

const start = JSON.stringify({
  type: 'run.started',
  t: 1,
  runId: 'old',
  version: TRACE_VERSION,
  config: DEFAULT_CONFIG,
  plan: { requests: 1, concurrency: 1 },
});
const sent = JSON.stringify({ type: 'client.sent', t: 2, rid: 'a', route: 'getUser' });
const done = JSON.stringify({ type: 'client.done', t: 3, rid: 'a', status: 200 });

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'trace-import-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function* chunks(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('importTraceStream', () => {
  it('reads lines split across chunks anywhere, even inside a character', async () => {
    const store = new RunStore(dataDir);
    await store.open();
    const named = JSON.stringify({ type: 'client.sent', t: 2, rid: 'é-ü', route: 'getUser' });
    const summary = await importTraceStream(
      chunks([start, named, done.replace('"a"', '"é-ü"'), sent, ''].join('\n'), 7),
      'mb3k2x1a-3f9a1c',
      store,
    );
    expect(summary).toMatchObject({ id: 'mb3k2x1a-3f9a1c', imported: true, status: 'failed', completed: 1 });
    expect((await readdir(store.dir)).sort()).toEqual(['mb3k2x1a-3f9a1c.jsonl', 'mb3k2x1a-3f9a1c.summary.json']);
  });

  it('refuses a body past the limit with 413 and a bad line with 400, leaving no file', async () => {
    const store = new RunStore(dataDir);
    await store.open();
    const big = [start, ...Array.from({ length: 200 }, () => sent)].join('\n');
    await expect(importTraceStream(chunks(big, 1000), 'mb3k2x1a-3f9a1d', store, 4096)).rejects.toMatchObject({
      statusCode: 413,
    });
    await expect(
      importTraceStream(chunks([start, '{oops'].join('\n'), 5), 'mb3k2x1a-3f9a1e', store),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: 'invalid trace file: line 2: not valid JSON',
    });
    expect(await readdir(store.dir)).toEqual([]);
    expect(store.list()).toEqual([]);
  });

  it('removes an import the lab stopped in the middle of when the store opens', async () => {
    await mkdir(path.join(dataDir, 'runs'), { recursive: true });
    await writeFile(path.join(dataDir, 'runs', 'mb3k2x1a-3f9a1f.jsonl.importing'), `${start}\n`);
    const store = new RunStore(dataDir);
    await store.open();
    expect(await readdir(store.dir)).toEqual([]);
    expect(store.list()).toEqual([]);
  });
});
