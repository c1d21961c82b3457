/**
 * Choosing the database: a given URI, else a mongod that is on disk
 * or quick to download, else the embedded server, and never an orphan. How soon it gives
 * up on a download server that refuses or never answers, and on a URI that does not answer,
 * is in tests/timing/db/resolve.test.ts.
 */
import net from 'node:net';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../../server/db/embedded';
import { startDatabase } from '../../../server/db/resolve';
import { liveChildren } from '../../../server/process/children';
import { childPids, closedPort, isAlive, isolatedResolveTests, ping, waitUntil } from './helpers';

const { started, env } = isolatedResolveTests();

describe('a URI given by the user', () => {
  const external = startEmbeddedServer();
  afterAll(async () => (await external).stop());

  it('is used as is and reported as external, with the server’s own version', async () => {
    const server = await external;
    process.env.MONGODB_URI = server.uri;
    const db = await startDatabase({});
    started.push(db);
    expect(db.uri).toBe(server.uri);
    expect(db.info).toEqual({ kind: 'external', version: server.version, reason: `MONGODB_URI ${server.uri}` });
  });

  it('takes --mongodb-uri over MONGODB_URI', async () => {
    const server = await external;
    process.env.MONGODB_URI = `mongodb://127.0.0.1:${await closedPort()}`;
    const db = await startDatabase({ mongodbUri: server.uri });
    started.push(db);
    expect(db.info.kind).toBe('external');
    expect(db.info.reason).toContain('--mongodb-uri');
  });

  it('is left running when the lab stops using it', async () => {
    const server = await external;
    const db = await startDatabase({ mongodbUri: server.uri });
    await db.stop();
    expect(await ping(server.uri)).toBe(1);
  });

  it('fails after its 5 s ping with a message that names the host but never the password', async () => {
    const port = await closedPort();
    process.env.MONGODB_URI = `mongodb://labuser:s3cret-pw@127.0.0.1:${port}/eventlooplab?authSource=admin`;
    const t0 = performance.now();
    const error = await startDatabase({}).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    const ms = performance.now() - t0;
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toContain(`mongodb://***@127.0.0.1:${port}/eventlooplab`);
    expect(error?.message).toContain('did not answer ping within 5 s');
    expect(error?.message).not.toContain('s3cret-pw');
    expect(error?.message).not.toContain('labuser');
    // It waited its ping out (how soon it gave up is in tests/timing/db/resolve.test.ts).
    expect(ms).toBeGreaterThan(4_900);
  });
});

describe('offline', () => {
  it('starts the embedded server when --offline is given, and the real driver talks to it', async () => {
    const db = await startDatabase({ offline: true });
    started.push(db);
    expect(db.info.kind).toBe('embedded');
    expect(db.info.reason).toBe('--offline given');
    expect(db.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+/);
    const client = new MongoClient(db.uri);
    try {
      const users = client.db('resolve_test').collection('things');
      await users.insertOne({ name: 'x' });
      expect(await users.findOne({ name: 'x' }, { projection: { _id: 0 } })).toEqual({ name: 'x' });
    } finally {
      await client.close();
    }
  });

  it('leaves no process behind after stop()', async () => {
    const before = new Set(childPids());
    const db = await startDatabase({ offline: true });
    const spawned = childPids().filter((pid) => !before.has(pid));
    expect(spawned.length).toBeGreaterThan(0);
    await db.stop();
    expect(await waitUntil(() => spawned.every((pid) => !isAlive(pid)), 3_000)).toBe(true);
    expect(liveChildren()).toBe(0);
    // Nothing listens on its port any more (a refused TCP connect, no driver retries).
    const port = Number(new URL(db.uri).port);
    await expect(
      new Promise((resolve, reject) => net.connect(port, '127.0.0.1').once('connect', resolve).once('error', reject)),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('says why when MONGOMS_SYSTEM_BINARY points at nothing', async () => {
    process.env.MONGOMS_SYSTEM_BINARY = `${env().dir}/no-such-mongod`;
    const db = await startDatabase({});
    started.push(db);
    expect(db.info.kind).toBe('embedded');
    expect(db.info.reason).toBe(`MONGOMS_SYSTEM_BINARY ${env().dir}/no-such-mongod is missing or not executable`);
  });

  it('does not download when MONGOMS_RUNTIME_DOWNLOAD is off', async () => {
    process.env.MONGOMS_RUNTIME_DOWNLOAD = 'false';
    const db = await startDatabase({});
    started.push(db);
    expect(db.info).toMatchObject({
      kind: 'embedded',
      reason: 'offline: no mongod binary and MONGOMS_RUNTIME_DOWNLOAD is off',
    });
  });
});
