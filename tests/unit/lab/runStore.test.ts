/** Run files on disk are not trusted: a damaged file is skipped or rebuilt, never fatal. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { TRACE_VERSION, type TraceEvent } from '../../../common/trace';
import { newRunId } from '../../../server/lab/runIds';
import { RunStore } from '../../../server/lab/runStore';
import { summarizeTrace } from '../../../common/runSummary';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'run-store-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function opened(): Promise<RunStore> {
  const store = new RunStore(dataDir);
  await store.open();
  return store;
}

async function storedRun(store: RunStore, version = TRACE_VERSION): Promise<string> {
  const id = newRunId();
  const started = {
    type: 'run.started',
    t: 1000,
    runId: id,
    version,
    config: DEFAULT_CONFIG,
    plan: { requests: 1, concurrency: 1 },
  } as const;
  const writer = store.create(started);
  const finished: TraceEvent = { type: 'run.finished', t: 1010, runId: id, status: 'done' };
  writer.append([finished]);
  await writer.close();
  await store.save(summarizeTrace([started, finished], { id })!);
  return id;
}

describe('runs stored by an older version of the lab', () => {
  it('a version-1 run is listed and its trace read as it was written', async () => {
    const id = await storedRun(await opened(), 1);
    const store = await opened();
    expect(store.list().map((run) => run.id)).toEqual([id]);
    const events: TraceEvent[] = [];
    for await (const event of store.readTrace(id)) events.push(event);
    expect(events.map((event) => event.type)).toEqual(['run.started', 'run.finished']);
    expect(events[0]).toMatchObject({ type: 'run.started', version: 1 });
  });
});

describe('opening a runs folder with damaged files', () => {
  it.each([
    ['a summary that is not an object', '"x"'],
    ['a summary missing its fields', '{"status":"done"}'],
    ['a summary that is not JSON', '{"id":'],
  ])('rebuilds %s from the trace', async (_what, content) => {
    const id = await storedRun(await opened());
    await writeFile(path.join(dataDir, 'runs', `${id}.summary.json`), content);
    const logged: string[] = [];
    const store = new RunStore(dataDir, (line) => logged.push(line));
    await store.open();
    const [run] = store.list();
    expect(run).toMatchObject({ id, status: 'done', startedAt: 1000 });
    expect(() => JSON.stringify(store.list())).not.toThrow();
  });

  it('skips a directory named like a trace, says which, and keeps the other runs', async () => {
    const good = await storedRun(await opened());
    const bad = newRunId();
    await mkdir(path.join(dataDir, 'runs', `${bad}.jsonl`));
    const logged: string[] = [];
    const store = new RunStore(dataDir, (line) => logged.push(line));
    await store.open();
    expect(store.list().map((r) => r.id)).toEqual([good]);
    expect(logged.join('\n')).toContain(`${bad}.jsonl`);
    expect(logged.join('\n')).toMatch(/EISDIR/);
  });
});
