/**
 * configureFailPoint's failCommand on the embedded server, through the official driver: only
 * when the server was started to accept test commands, as mongod only knows it with
 * enableTestCommands.
 */
import { MongoClient, MongoNetworkError, MongoServerError, MongoWriteConcernError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedServer } from '../../../server/db/embedded';

let testing: EmbeddedServer;
let plain: EmbeddedServer;
const clients: MongoClient[] = [];

async function connect(
  server: EmbeddedServer,
  options: ConstructorParameters<typeof MongoClient>[1] = {},
): Promise<MongoClient> {
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000, ...options });
  clients.push(client);
  return client.connect();
}

beforeAll(async () => {
  [testing, plain] = await Promise.all([
    startEmbeddedServer({ testCommands: true, log: () => {} }),
    startEmbeddedServer({ log: () => {} }),
  ]);
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([testing?.stop(), plain?.stop()]);
});

const failCommand = (client: MongoClient, mode: unknown, data: Record<string, unknown> = {}) =>
  client.db('admin').command({ configureFailPoint: 'failCommand', mode, data });

describe('configureFailPoint', () => {
  it('is no such command unless the server accepts test commands, and says how to enable it', async () => {
    const client = await connect(plain);
    const refused = await failCommand(client, { times: 1 }, { failCommands: ['find'], errorCode: 8 }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(MongoServerError);
    expect(refused).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect((refused as Error).message).toContain('--enable-test-commands');
    expect(await client.db('t').collection('c').findOne({})).toBeNull();
  });

  it('runs only against the admin database, and refuses bad modes and data with BadValue', async () => {
    const client = await connect(testing);
    await expect(client.db('t').command({ configureFailPoint: 'failCommand', mode: 'off' })).rejects.toMatchObject({
      code: 13,
    });
    await expect(failCommand(client, 'sometimes', { failCommands: ['find'] })).rejects.toMatchObject({ code: 2 });
    await expect(failCommand(client, { times: -1 }, { failCommands: ['find'] })).rejects.toMatchObject({ code: 2 });
    await expect(
      failCommand(client, 'alwaysOn', { failCommands: ['find'], blockConnection: true, blockTimeMS: 1e9 }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(failCommand(client, 'alwaysOn', { failCommands: ['find'], frobnicate: 1 })).rejects.toMatchObject({
      code: 2,
    });
    await expect(failCommand(client, 'alwaysOn', {})).rejects.toMatchObject({ code: 2 });
    await expect(
      client.db('admin').command({ configureFailPoint: 'failAllWrites', mode: 'alwaysOn' }),
    ).rejects.toMatchObject({ code: 2 });
    expect(await client.db('t').collection('c').findOne({})).toBeNull();
  });

  it('fails the next command {times: n} with errorCode and errorLabels, then no more', async () => {
    const client = await connect(testing);
    const docs = client.db('times').collection('docs');
    await failCommand(
      client,
      { times: 2 },
      { failCommands: ['insert'], errorCode: 112, errorLabels: ['TransientTransactionError'] },
    );
    for (let i = 0; i < 2; i++) {
      const error = await docs.insertOne({ i }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({ code: 112, codeName: 'WriteConflict' });
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    }
    await docs.insertOne({ i: 2 });
    expect(await docs.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ i: 2 }]);
  });

  it('lets {skip: n} commands through first, stays on with alwaysOn until turned off, and counts what it failed', async () => {
    const client = await connect(testing);
    const docs = client.db('skip').collection('docs');
    await docs.insertOne({ a: 1 });
    const before = await failCommand(client, { skip: 2 }, { failCommands: ['find'], errorCode: 8 });
    expect(await docs.findOne({})).toMatchObject({ a: 1 });
    expect(await docs.findOne({})).toMatchObject({ a: 1 });
    for (let i = 0; i < 3; i++)
      await expect(docs.findOne({})).rejects.toMatchObject({ code: 8, codeName: 'UnknownError' });
    await failCommand(client, 'alwaysOn', { failCommands: ['find'], errorCode: 8 });
    await expect(docs.findOne({})).rejects.toMatchObject({ code: 8 });
    const off = await failCommand(client, 'off');
    expect(off.count - before.count).toBe(4);
    expect(await docs.findOne({})).toMatchObject({ a: 1 });
  });

  it('closes the connection instead of answering with closeConnection', async () => {
    const client = await connect(testing, { retryReads: false });
    const docs = client.db('close').collection('docs');
    await docs.insertOne({ a: 1 });
    await failCommand(client, { times: 1 }, { failCommands: ['find'], closeConnection: true });
    await expect(docs.findOne({})).rejects.toBeInstanceOf(MongoNetworkError);
    expect(await docs.findOne({})).toMatchObject({ a: 1 });
  });

  it('runs the command and adds a writeConcernError', async () => {
    const client = await connect(testing);
    const docs = client.db('wce').collection('docs');
    await failCommand(
      client,
      { times: 1 },
      { failCommands: ['insert'], writeConcernError: { code: 91, errmsg: 'Replication is being shut down' } },
    );
    const error = await docs.insertOne({ a: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoWriteConcernError);
    expect(error).toMatchObject({ code: 91 });
    expect(await docs.countDocuments()).toBe(1);
  });

  it('blocks only the connection of the client named by appName, while others are served', async () => {
    const blocked = await connect(testing, { appName: 'blocked-app' });
    const other = await connect(testing, { appName: 'other-app' });
    await blocked.db('block').collection('docs').insertOne({ a: 1 });
    await failCommand(
      blocked,
      { times: 1 },
      { failCommands: ['find'], blockConnection: true, blockTimeMS: 1000, appName: 'blocked-app' },
    );
    const order: string[] = [];
    const started = performance.now();
    const slow = blocked
      .db('block')
      .collection('docs')
      .findOne({})
      .then((doc) => {
        order.push('blocked find');
        return { doc, ms: performance.now() - started };
      });
    expect(await other.db('block').collection('docs').findOne({})).toMatchObject({ a: 1 });
    order.push('other find');
    await other.db('admin').command({ ping: 1 });
    order.push('other ping');
    const { doc, ms } = await slow;
    expect(doc).toMatchObject({ a: 1 });
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(order).toEqual(['other find', 'other ping', 'blocked find']);
  });
});
