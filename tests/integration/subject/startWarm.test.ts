/**
 * A subject is warm when it says it is ready: its pool's connections are open before the first
 * request, so the first requests measure the handler, not connecting, and a handler that holds
 * the loop cannot make a first connection time out (that failed every request queued behind
 * it with 503 "Topology is closed"). Counted by the database itself, before any request.
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { createSubjectSupervisor, type InspectableSubjectSupervisor } from '../../../server/subject/supervisor';
import { type Database, startDatabase } from './harness';

const POOL_SIZE = 8;
let database: Database | undefined;
let supervisor: InspectableSubjectSupervisor | undefined;

afterEach(async () => {
  await supervisor?.stop();
  await database?.stop();
});

async function openConnections(db: Database): Promise<number> {
  const status = await db.client.db('admin').command({ serverStatus: 1 });
  return (status as { connections: { current: number } }).connections.current;
}

it('has its pool open when it reports ready, before any request', async () => {
  database = await startDatabase();
  const before = await openConnections(database);
  supervisor = createSubjectSupervisor({
    mongoUri: database.server.uri,
    dbName: LAB_DB_NAME,
    onEvents: () => undefined,
    onState: () => undefined,
  });
  await supervisor.start({ ...DEFAULT_CONFIG, mode: 'nonblocking', poolSize: POOL_SIZE });
  expect(await openConnections(database)).toBeGreaterThanOrEqual(before + POOL_SIZE);
});
