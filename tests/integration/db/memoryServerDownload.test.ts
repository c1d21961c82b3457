/**
 * The mongodb-memory-server path end to end, offline: a local mirror serves a real
 * archive (see fakeMirror.ts), the library downloads, checks, extracts, caches and runs
 * it, and the lab picks it up as kind 'memory-server'. Its own file because the library
 * caches binary paths per process.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { DryMongoBinary } from 'mongodb-memory-server';
import { MongoBinaryDownloadUrl } from 'mongodb-memory-server-core/lib/util/MongoBinaryDownloadUrl.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_VERSION } from '../../../server/db/embedded';
import { formatBytes } from '../../../server/db/mongodBinary';
import { startDatabase } from '../../../server/db/resolve';
import { spawnNode, stopChild } from '../../../server/process/children';
import { buildFakeArchive, type FakeMirror, md5File, startFakeMirror } from './fakeMirror';
import { childPids, isAlive, isolateMongoms, waitUntil } from './helpers';

let env: ReturnType<typeof isolateMongoms>;
let mirror: FakeMirror;
let archiveName: string;
let archiveBytes: number;
const workDir = mkdtempSync(path.join(os.tmpdir(), 'eventlooplab-mirror-'));

beforeAll(async () => {
  env = isolateMongoms({ MONGOMS_USE_HTTP: 'true' });
  archiveName = await new MongoBinaryDownloadUrl(await DryMongoBinary.generateOptions({})).getArchiveName();
  const archive = buildFakeArchive(workDir, archiveName, '7.0.99');
  archiveBytes = archive.length;
  mirror = await startFakeMirror(
    new Map([
      [`/linux/${archiveName}`, archive],
      [`/linux/${archiveName}.md5`, md5File(archive, archiveName)],
      // A broken build for another version: complete bytes, but not a gzip archive.
      ['/linux/' + archiveName.replace('7.0.99', '7.0.98'), Buffer.alloc(2_000_000, 7)],
    ]),
  );
  process.env.MONGOMS_DOWNLOAD_MIRROR = mirror.url;
});
afterAll(async () => {
  await mirror?.close();
  env?.restore();
  rmSync(workDir, { recursive: true, force: true });
});

function deadPid(): number {
  let pid = 4_000_000; // above the default pid_max, so never a live process
  while (isAlive(pid)) pid++;
  return pid;
}

async function ping(uri: string): Promise<number> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3_000 });
  try {
    return (await client.db('admin').command({ ping: 1 })).ok as number;
  } finally {
    await client.close();
  }
}

describe('mongodb-memory-server with a download that answers', () => {
  const binaryDir = () => path.join(env.dir, 'binaries');

  it('downloads mongod, says how big and where it is cached, and runs it', async () => {
    const lines: string[] = [];
    const before = new Set(childPids());
    const db = await startDatabase({ log: (line) => lines.push(line) });
    const binary = path.join(binaryDir(), 'mongod-x64-debian-7.0.99');
    try {
      expect(db.info).toEqual({ kind: 'memory-server', version: EMBEDDED_VERSION, reason: `downloaded to ${binary}` });
      expect(lines[0]).toBe(
        `Downloading MongoDB 7.0.99 (${formatBytes(archiveBytes)}) from ${mirror.url}/linux/${archiveName}`,
      );
      expect(lines[1]).toContain(`caching it in ${binaryDir()}`);
      expect(mirror.requests).toEqual([
        `HEAD /linux/${archiveName}`,
        `GET /linux/${archiveName}`,
        `GET /linux/${archiveName}.md5`,
      ]);
      // Only the verified binary and its checksum stay: no archive, no partial download, no lock.
      expect(readdirSync(binaryDir()).sort()).toEqual(['mongod-x64-debian-7.0.99', 'mongod-x64-debian-7.0.99.md5']);
      expect(await ping(db.uri)).toBe(1);
    } finally {
      await db.stop();
    }
    expect(await waitUntil(() => childPids().every((pid) => before.has(pid) || !isAlive(pid)), 5_000)).toBe(true);
  });

  it('uses the cached binary on the next start without downloading again', async () => {
    const requestsBefore = mirror.requests.length;
    const db = await startDatabase({});
    try {
      expect(db.info.kind).toBe('memory-server');
      expect(db.info.reason).toBe(`cached binary ${path.join(binaryDir(), 'mongod-x64-debian-7.0.99')}`);
      expect(mirror.requests.length).toBe(requestsBefore);
    } finally {
      await db.stop();
    }
  });

  it('kills mongod and its children when stopped', async () => {
    const before = new Set(childPids());
    const db = await startDatabase({});
    const mongod = childPids().filter((pid) => !before.has(pid));
    expect(mongod.length).toBeGreaterThan(0);
    const grandchildren = mongod.flatMap((pid) => childPids(pid));
    await db.stop();
    expect(await waitUntil(() => [...mongod, ...grandchildren].every((pid) => !isAlive(pid)), 5_000)).toBe(true);
  });

  it('falls back to the embedded server and leaves no broken archive when the download is corrupt', async () => {
    process.env.MONGOMS_VERSION = '7.0.98';
    process.env.MONGOMS_MD5_CHECK = 'false';
    try {
      const db = await startDatabase({});
      await db.stop();
      expect(db.info.kind).toBe('embedded');
      expect(db.info.reason).toMatch(/^the mongod download failed \(/);
      expect(readdirSync(binaryDir()).filter((f) => f.includes('7.0.98'))).toEqual([]);
    } finally {
      process.env.MONGOMS_VERSION = '7.0.99';
      delete process.env.MONGOMS_MD5_CHECK;
    }
  });

  it('throws away a binary whose extraction was interrupted and downloads it again', async () => {
    const binary = path.join(binaryDir(), 'mongod-x64-debian-7.0.99');
    // What a kill during extraction leaves: a truncated binary, no checksum, the dead process's lock.
    truncateSync(binary, 1_000);
    rmSync(`${binary}.md5`);
    writeFileSync(path.join(binaryDir(), '7.0.99.lock'), `${deadPid()} 00000000-dead-beef`);
    DryMongoBinary.binaryCache.clear(); // a new process would not remember the path
    const db = await startDatabase({});
    try {
      expect(db.info).toMatchObject({ kind: 'memory-server', reason: `downloaded to ${binary}` });
      expect(existsSync(`${binary}.md5`)).toBe(true);
    } finally {
      await db.stop();
    }
  });
});

describe('mongod started through mongodb-memory-server', () => {
  const fixture = fileURLToPath(new URL('./fixtures/holdDatabase.ts', import.meta.url));

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`dies with the lab on ${signal}`, async () => {
      const lab = spawnNode(fixture, [], { stdio: 'pipe' });
      try {
        const ready = await readyLine(lab);
        expect(ready.line).toMatch(/^MongoDB .* \(mongodb-memory-server, (cached binary|downloaded to) /);
        const mongod = childPids(lab.pid!);
        const behind = [...mongod, ...mongod.flatMap((pid) => childPids(pid))];
        expect(behind.length).toBeGreaterThanOrEqual(2); // mongod (here: the fake) and what it runs
        const exited = new Promise<number | null>((resolve) => lab.once('exit', (code) => resolve(code)));
        lab.kill(signal);
        expect(await exited).toBe(signal === 'SIGINT' ? 130 : 143);
        expect(await waitUntil(() => behind.every((pid) => !isAlive(pid)), 5_000)).toBe(true);
      } finally {
        await stopChild(lab);
      }
    });
  }
});

function readyLine(child: ChildProcess): Promise<{ line: string; uri: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      out += text;
      const match = /^ready (.*)$/m.exec(out);
      if (match) resolve(JSON.parse(match[1]!) as { line: string; uri: string });
    });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) before it was ready: ${out}`)));
  });
}
