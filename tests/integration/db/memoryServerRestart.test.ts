/**
 * A mongod the lab started through mongodb-memory-server dies (`kill -9`): the keeper starts
 * it again through the library on the same port and re-seeds it. mongod cannot be downloaded
 * here, so MONGOMS_SYSTEM_BINARY points at a stand-in: one process (so `kill -9` of what the
 * library spawned takes the server down) that runs the embedded wire server on the port it is
 * given and prints mongod's "waiting for connections" line.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepDatabase, type DatabaseKeeper } from '../../../server/db/keeper';
import { startDatabase, type StartedDatabase } from '../../../server/db/resolve';
import { LAB_DB_NAME, SEED_USER_COUNT, seedUsersAt, USERS_COLLECTION } from '../../../server/db/seed';
import { isAlive, isolateMongoms } from './helpers';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const embeddedServer = pathToFileURL(path.resolve(import.meta.dirname, '../../../server/db/embedded/server.ts')).href;

function standInMongod(dir: string): string {
  const file = path.join(dir, 'mongod');
  writeFileSync(
    file,
    `#!/usr/bin/env -S ${process.execPath} --import ${tsxLoader}
// A stand-in for mongod: the lab's embedded wire server, in this very process.
const args = process.argv.slice(2);
if (args.includes('--version')) { console.log('db version v7.0.99'); process.exit(0); }
const port = Number(args[args.indexOf('--port') + 1]);
import(${JSON.stringify(embeddedServer)}).then(async ({ listen }) => {
  await listen({ port, host: '127.0.0.1', log: () => {} });
  console.log('stand-in mongod: waiting for connections on port ' + port);
}, (error) => { console.error(error); process.exit(1); });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
`,
  );
  chmodSync(file, 0o755);
  return file;
}

let env: ReturnType<typeof isolateMongoms>;
let database: StartedDatabase;
let keeper: DatabaseKeeper;
const logged: string[] = [];
const binDir = mkdtempSync(path.join(os.tmpdir(), 'eventlooplab-standin-'));

beforeAll(async () => {
  env = isolateMongoms();
  process.env.MONGOMS_SYSTEM_BINARY = standInMongod(binDir);
  database = await startDatabase({ log: (line) => logged.push(line) });
  await seedUsersAt(database.uri);
  keeper = keepDatabase(database, {
    seed: async (uri) => void (await seedUsersAt(uri)),
    log: (line) => logged.push(line),
  });
}, 120_000);

afterAll(async () => {
  await keeper?.stop();
  env?.restore();
  rmSync(binDir, { recursive: true, force: true });
});

async function users(uri: string): Promise<number> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    return await client.db(LAB_DB_NAME).collection(USERS_COLLECTION).countDocuments({});
  } catch (error) {
    throw new Error(`${String(error)}; the keeper's log:\n${logged.join('\n')}`, { cause: error });
  } finally {
    await client.close();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 90_000; // a hang detector, not a speed goal (that is bench dbrestart)
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${logged.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('restarts a killed mongod of mongodb-memory-server on the same port, re-seeded', async () => {
  expect(database.info.kind).toBe('memory-server');
  expect(database.info.reason).toBe(`MONGOMS_SYSTEM_BINARY ${process.env.MONGOMS_SYSTEM_BINARY}`);
  expect(database.process).toBeDefined();
  const uri = database.uri;

  for (const round of [1, 2]) {
    const pid = database.process!.pid();
    process.kill(pid, 'SIGKILL');
    await until(
      () => logged.filter((line) => line.startsWith('the database was restarted')).length >= round,
      `restart ${round}`,
    );
    expect(logged).toContain('mongod exited (SIGKILL); restarting it on the same address');
    expect(isAlive(pid)).toBe(false);
    const next = database.process!.pid();
    expect(next).not.toBe(pid);
    expect(isAlive(next)).toBe(true);
    expect(database.uri).toBe(uri);
    expect(await users(uri)).toBe(SEED_USER_COUNT);
  }

  const last = database.process!.pid();
  await keeper.stop();
  await until(() => !isAlive(last), 'the restarted mongod to stop with the keeper');
}, 240_000);
