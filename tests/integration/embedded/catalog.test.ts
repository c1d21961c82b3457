import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target';

let target: Target;

beforeAll(async () => {
  target = await openTarget();
});
afterAll(async () => {
  await target?.stop();
});

describe('handshake and server commands', () => {
  it('answers hello as a writable standalone with a modern wire version', async () => {
    const hello = await target.db.admin().command({ hello: 1 });
    expect(hello).toMatchObject({ ok: 1, isWritablePrimary: true });
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(hello.setName).toBeUndefined();
    for (const field of [
      'maxBsonObjectSize',
      'maxMessageSizeBytes',
      'maxWriteBatchSize',
      'logicalSessionTimeoutMinutes',
      'connectionId',
    ]) {
      expect(typeof hello[field]).toBe('number');
    }
    expect(hello.localTime).toBeInstanceOf(Date);
    expect((await target.db.admin().command({ isMaster: 1 })).ismaster).toBe(true);
  });

  it('answers ping, buildInfo, serverStatus and endSessions', async () => {
    expect(await target.db.admin().ping()).toMatchObject({ ok: 1 });
    expect((await target.db.admin().buildInfo()).version).toMatch(/^\d+\.\d+\.\d+/);
    const status = await target.db.admin().serverStatus();
    expect(status.connections.current).toBeGreaterThanOrEqual(1);
    expect(typeof status.uptime).toBe('number');
    const session = target.client.startSession();
    await target.db.collection('x').findOne({}, { session });
    await session.endSession();
    expect(await target.db.admin().command({ endSessions: [session.id] })).toMatchObject({ ok: 1 });
  });
});

describe('serverStatus.opcounters', () => {
  // As mongod's jstests/core/opcounters_write_cmd.js has it: every known command counts once
  // under `command`, failed or not, except those with a counter of their own; an unknown one
  // does not count.
  it('counts every known command under command, except reads and writes, which count under their own', async () => {
    const admin = target.db.admin();
    const counters = async () =>
      (await admin.command({ serverStatus: 1 })).opcounters as Record<
        'command' | 'query' | 'insert' | 'getmore',
        number
      >;
    const collection = target.db.collection('opcounters');
    await collection.insertOne({ a: 1 });

    // A driver's monitor sends hello now and then (a command too): an attempt it lands in reads
    // one more, never fewer, so the sequence runs until one attempt has had none.
    const commands: number[] = [];
    for (let attempt = 0; attempt < 3 && commands.at(-1) !== 4; attempt++) {
      const before = await counters(); // this serverStatus counts too, after its own reading
      expect(await admin.ping()).toMatchObject({ ok: 1 });
      await admin.command({ hello: 1 });
      await expect(collection.countDocuments({ a: { $bogus: 1 } })).rejects.toThrow(); // fails, still counted
      await expect(admin.command({ noSuchCommandAnywhere: 1 })).rejects.toThrow(/no such command/); // not counted
      await collection.find({ a: 1 }).toArray(); // a query, not a command
      await collection.insertMany([{ a: 2 }, { a: 3 }]); // two inserts, not a command
      const after = await counters();
      expect(after.query - before.query).toBe(1);
      expect(after.insert - before.insert).toBe(2);
      commands.push(after.command - before.command);
    }
    // serverStatus (before's own), ping, hello, and the aggregate behind countDocuments.
    expect(commands).toContain(4);
  });
});

describe('indexes', () => {
  it('creates, lists and drops indexes', async () => {
    const users = target.db.collection('users');
    expect(await users.createIndex({ username: 1 }, { unique: true })).toBe('username_1');
    expect(await users.createIndex({ city: 1, age: -1 }, { name: 'by_city' })).toBe('by_city');
    const listed = await users.listIndexes().toArray();
    expect(listed.map((i) => i.name)).toEqual(['_id_', 'username_1', 'by_city']);
    expect(listed[1]).toMatchObject({ key: { username: 1 }, unique: true });
    await users.dropIndex('by_city');
    expect((await users.indexes()).map((i) => i.name)).toEqual(['_id_', 'username_1']);
    await expect(users.dropIndex('_id_')).rejects.toMatchObject({ ok: 0 });
  });

  it('finds by an indexed field without scanning, and scans without an index', async () => {
    const users = target.db.collection('indexed');
    await users.createIndex({ username: 1 }, { unique: true });
    await users.insertMany(Array.from({ length: 2000 }, (_, i) => ({ username: `user${i}`, city: `city${i}` })));
    const indexed = await users.find({ username: 'user1234' }).explain('executionStats');
    expect(indexed.executionStats.nReturned).toBe(1);
    expect(indexed.executionStats.totalDocsExamined).toBe(1);
    expect(JSON.stringify(indexed.queryPlanner.winningPlan)).toContain('IXSCAN');
    const scanned = await users.find({ city: 'city1234' }).explain('executionStats');
    expect(scanned.executionStats.nReturned).toBe(1);
    expect(scanned.executionStats.totalDocsExamined).toBe(2000);
    expect(JSON.stringify(scanned.queryPlanner.winningPlan)).toContain('COLLSCAN');
  });

  it('keeps an index in step with updates and deletes', async () => {
    const users = target.db.collection('moving');
    await users.createIndex({ username: 1 }, { unique: true });
    await users.insertOne({ username: 'old' });
    await users.updateOne({ username: 'old' }, { $set: { username: 'new' } });
    expect(await users.findOne({ username: 'old' })).toBeNull();
    expect(await users.findOne({ username: 'new' })).not.toBeNull();
    await users.deleteOne({ username: 'new' });
    await users.insertOne({ username: 'new' });
    expect(await users.countDocuments({ username: 'new' })).toBe(1);
  });
});

describe('collections and databases', () => {
  it('lists collections, creates one explicitly and drops it', async () => {
    await target.db.createCollection('made');
    await target.db.collection('implicit').insertOne({ a: 1 });
    const names = (await target.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['made', 'implicit']));
    expect(await target.db.collection('made').drop()).toBe(true);
    const after = (await target.db.listCollections({ name: 'made' }).toArray()).map((c) => c.name);
    expect(after).toEqual([]);
  });

  it('lists databases and drops one', async () => {
    const other = target.client.db(`${target.db.databaseName}_other`);
    await other.collection('c').insertOne({ a: 1 });
    const before = await target.db.admin().listDatabases();
    expect(before.databases.map((d) => d.name)).toContain(other.databaseName);
    await other.dropDatabase();
    const after = await target.db.admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(other.databaseName);
  });
});
