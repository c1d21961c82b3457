/**
 * `npm run record:lessons`: runs every lesson step's experiment on the real lab (the
 * embedded database in its own process, the real subject, the real load generator) and
 * writes each run's trace to public/recordings/<lesson id>/<step>.jsonl, plus
 * public/recordings/index.json. The static build (no lab server) replays these, so they
 * are real runs, never synthetic ones. Each step's preset runs twice and the second run is
 * kept: the first opens the pool's connections through the latency proxy (a handshake
 * of several round trips each), which is a cold start, not what the lesson is about; a
 * reader's "Run it again" on the live lab sees the warm numbers the recording shows.
 * Re-run it whenever a lesson preset changes; the
 * unit test tests/unit/lessons/recordings.test.ts says when a recording is missing or stale.
 *
 * Flags: --only <lesson id> (re-record one lesson, keep the others); with it, --step N
 * re-records that one step and keeps the lesson's other recordings.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { MongoClient } from 'mongodb';
import type { RunSummary } from '../common/api';
import type { Lesson } from '../common/lesson';
import { startDatabase } from '../server/db/resolve';
import { LAB_DB_NAME, seedUsers } from '../server/db/seed';
import { buildApp } from '../server/lab/app';
import { createSubjectSupervisor } from '../server/subject/supervisor';
import { presetConfig } from '../src/lessons/model';
import { parseLesson } from '../src/lessons/parse';
import { RECORDINGS_VERSION, recordingKey, recordingPath, type RecordingIndex } from '../src/lessons/recordings';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'public', 'recordings');
/** A lesson run takes seconds; one that takes longer than this is stuck. */
const RUN_TIMEOUT_MS = 120_000;
/** Recordings larger than this are written gzipped (`<step>.jsonl.gz`). */
const GZIP_ABOVE_BYTES = 256 * 1024;

async function readCourse(): Promise<Lesson[]> {
  const folders = (await readdir(path.join(ROOT, 'lessons'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    folders.map(async (folder) =>
      parseLesson(folder, await readFile(path.join(ROOT, 'lessons', folder, 'lesson.md'), 'utf8')),
    ),
  );
}

async function readIndex(): Promise<RecordingIndex | undefined> {
  try {
    return JSON.parse(await readFile(path.join(OUT, 'index.json'), 'utf8')) as RecordingIndex;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, step: { type: 'string' } }, strict: true });
  const onlyStep = values.step === undefined ? undefined : Number(values.step);
  if (onlyStep !== undefined && (!values.only || !Number.isInteger(onlyStep) || onlyStep < 1))
    throw new Error('--step N needs --only <lesson id> and a step number from 1');
  const lessons = (await readCourse()).filter((lesson) => !values.only || lesson.id === values.only);
  if (lessons.length === 0) throw new Error(`no lesson with id "${values.only}"`);

  const database = await startDatabase({ offline: true, log: () => {} });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lab-record-'));
  const stops: Array<() => Promise<unknown>> = [
    () => database.stop(),
    () => rm(dataDir, { recursive: true, force: true }),
  ];
  try {
    const seeding = new MongoClient(database.uri);
    await seedUsers(seeding.db(LAB_DB_NAME)).finally(() => seeding.close());
    const server = await buildApp({
      dataDir,
      database: { uri: database.uri, dbName: LAB_DB_NAME, info: database.info },
      createSupervisor: createSubjectSupervisor,
    });
    stops.unshift(() => server.app.close());
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;

    const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${route}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
      return (route.endsWith('/trace') ? text : JSON.parse(text)) as T;
    };

    const index: RecordingIndex = (values.only ? await readIndex() : undefined) ?? {
      version: RECORDINGS_VERSION,
      recordedAt: '',
      database: '',
      steps: {},
    };
    index.recordedAt = new Date().toISOString();
    index.database = database.info.kind;
    for (const lesson of lessons) {
      if (onlyStep === undefined) await rm(path.join(OUT, lesson.id), { recursive: true, force: true });
      await mkdir(path.join(OUT, lesson.id), { recursive: true });
      for (const [i, step] of lesson.steps.entries()) {
        if (onlyStep !== undefined && i + 1 !== onlyStep) continue;
        const { config, run } = step.experiment;
        await call('PUT', '/api/config', presetConfig(config));
        const runOnce = async () => {
          const { id } = await call<{ id: string }>('POST', '/api/runs', run);
          const deadline = Date.now() + RUN_TIMEOUT_MS;
          for (;;) {
            const summary = await call<RunSummary>('GET', `/api/runs/${id}`);
            if (summary.status === 'done') return summary;
            if (summary.status !== 'running')
              throw new Error(`${lesson.id} step ${i + 1}: the run ended ${summary.status} ${summary.message ?? ''}`);
            if (Date.now() > deadline) throw new Error(`${lesson.id} step ${i + 1}: the run did not finish`);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        };
        await runOnce(); // warm-up: opens the pool's connections (see the top of this file)
        const summary = await runOnce();
        const { id } = summary;
        const trace = await call<string>('GET', `/api/runs/${id}/trace`);
        const text = trace.endsWith('\n') ? trace : `${trace}\n`;
        // A large run (the 10,000-connection one is ~10 MB of JSON lines) is kept gzipped; the page unzips it.
        const zipped = Buffer.byteLength(text) > GZIP_ABOVE_BYTES;
        const file = zipped ? `${recordingPath(lesson.id, i + 1)}.gz` : recordingPath(lesson.id, i + 1);
        for (const stale of [recordingPath(lesson.id, i + 1), `${recordingPath(lesson.id, i + 1)}.gz`])
          await rm(path.join(OUT, stale), { force: true });
        const written = zipped ? gzipSync(text, { level: 9 }) : Buffer.from(text);
        await writeFile(path.join(OUT, file), written);
        index.steps[recordingKey(lesson.id, i + 1)] = {
          file,
          runId: id,
          requests: summary.completed,
          bytes: written.length,
        };
        console.log(
          `${lesson.id} step ${i + 1}: ${summary.completed} requests in ${Math.round(summary.durationMs ?? 0)} ms, ${(written.length / 1024).toFixed(1)} KiB${zipped ? ` (gzipped from ${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB)` : ''}`,
        );
      }
    }
    await writeFile(path.join(OUT, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
    const total = Object.values(index.steps).reduce((sum, entry) => sum + entry.bytes, 0);
    console.log(
      `${Object.keys(index.steps).length} recordings, ${(total / 1024 / 1024).toFixed(2)} MiB in public/recordings`,
    );
  } finally {
    for (const stop of stops) await stop().catch((error: unknown) => console.error(`while stopping: ${String(error)}`));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`recording failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
