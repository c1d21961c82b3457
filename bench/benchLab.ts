/**
 * The lab a benchmark measures: the embedded database (seeded), the real supervisor and
 * the lab server, built in this process and torn down afterwards whatever happens.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { DEFAULT_CONFIG } from '../common/config';
import type { TraceEvent } from '../common/trace';
import { startDatabase } from '../server/db/resolve';
import { LAB_DB_NAME, seedUsers } from '../server/db/seed';
import { buildApp, type LabServer } from '../server/lab/app';
import { createSubjectSupervisor } from '../server/subject/supervisor';

export interface BenchLabOptions {
  /** Sees every trace batch the subject ships, before the lab does. */
  watch?: (events: TraceEvent[]) => void;
}

export async function withBenchLab<T>(
  use: (server: LabServer) => Promise<T>,
  options: BenchLabOptions = {},
): Promise<T> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lab-bench-'));
  const database = await startDatabase({ offline: true, log: () => {} });
  let server: LabServer | undefined;
  try {
    const seeding = new MongoClient(database.uri);
    await seedUsers(seeding.db(LAB_DB_NAME));
    await seeding.close();
    const { watch } = options;
    server = await buildApp({
      dataDir,
      database: { uri: database.uri, dbName: LAB_DB_NAME, info: database.info },
      createSupervisor: watch
        ? (o) => createSubjectSupervisor({ ...o, onEvents: (events) => (watch(events), o.onEvents(events)) })
        : createSubjectSupervisor,
      config: { ...DEFAULT_CONFIG, dbLatencyMs: 0 },
    });
    return await use(server);
  } finally {
    await server?.app.close();
    await database.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
