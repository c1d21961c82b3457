/** The embedded server as a child process: ready line, port choice, persistence, clean exit. */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { liveChildren, spawnNode, stopChild } from '../../../server/process/children';
import { EMBEDDED_VERSION, startEmbeddedServer } from '../../../server/db/embedded';
import { REAL_MONGODB } from './target';

const CLI = fileURLToPath(new URL('../../../server/db/embedded/cli.ts', import.meta.url));
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

describe.runIf(!REAL_MONGODB)('the embedded server process', () => {
  it('prints exactly "ready on mongodb://127.0.0.1:PORT" once it accepts connections', async () => {
    const child = spawnNode(CLI, ['--port', '0']);
    try {
      const firstLine = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
      });
      const port = Number(/:(\d+)$/.exec(firstLine)?.[1]);
      expect(firstLine).toBe(`ready on mongodb://127.0.0.1:${port}`);
      expect(port).toBeGreaterThan(0);
      expect(await refused(port)).toBe(false);
    } finally {
      await stopChild(child);
    }
  });

  it('starts on a free port, serves the driver, and is gone after stop()', async () => {
    const server = await startEmbeddedServer();
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}`);
    expect(server.version).toBe(EMBEDDED_VERSION);
    const client = await new MongoClient(server.uri).connect();
    expect((await client.db('admin').command({ buildInfo: 1 })).version).toBe(EMBEDDED_VERSION);
    await client.close();
    await server.stop();
    expect(await refused(server.port)).toBe(true);
  });

  it('rejects with a clear error when the port is taken', async () => {
    const first = await startEmbeddedServer();
    try {
      await expect(startEmbeddedServer({ port: first.port })).rejects.toThrow(
        new RegExp(`port ${first.port} is already in use`),
      );
    } finally {
      await first.stop();
    }
  });

  it('keeps data and unique indexes across restarts with --dbpath', async () => {
    const dbpath = mkdtempSync(path.join(tmpdir(), 'embedded-db-'));
    dirs.push(dbpath);
    const first = await startEmbeddedServer({ dbpath });
    let client = await new MongoClient(first.uri).connect();
    await client.db('keep').collection('users').createIndex({ username: 1 }, { unique: true });
    await client
      .db('keep')
      .collection('users')
      .insertMany([{ username: 'alice' }, { username: 'bob' }]);
    await client.close();
    await first.stop();

    const second = await startEmbeddedServer({ dbpath });
    client = await new MongoClient(second.uri).connect();
    const users = client.db('keep').collection('users');
    expect((await users.find().toArray()).map((u) => u.username)).toEqual(['alice', 'bob']);
    await expect(users.insertOne({ username: 'alice' })).rejects.toMatchObject({ code: 11000 });
    await client.close();
    await second.stop();
  });

  it('leaves no child process behind', () => {
    expect(liveChildren()).toBe(0);
  });
});
