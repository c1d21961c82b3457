/**
 * A local stand-in for fastdl.mongodb.org, so the download path of mongodb-memory-server
 * can be tested without internet.
 *
 * It serves a real .tgz (and its .md5) whose `bin/mongod` is a small Node program that
 * starts the embedded wire server and prints mongod's "waiting for connections" line:
 * the library downloads, verifies, extracts, caches and launches it exactly as it would
 * a real mongod, and the driver then talks to a real wire server behind it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry } from '../../../server/launch';

const tsxLoader = createRequire(import.meta.url).resolve('tsx');
const embeddedCli = fileURLToPath(new URL('../../../server/db/embedded/cli.ts', import.meta.url));

/**
 * How the fake mongod starts the embedded server: from the run's build when there is one
 * (tests/setup/buildOnce.ts; the same server, without tsx transforming it again at every start,
 * 1.5 to 2.5 s on a busy two-core machine), else from source through tsx.
 */
function embeddedArgs(): string[] {
  const built = builtEntry('embedded');
  return built ? [built] : ['--import', tsxLoader, embeddedCli];
}

function fakeMongodSource(version: string): string {
  return `#!${process.execPath}
// Fake mongod for tests: speaks through the lab's embedded server.
const { spawn } = require('node:child_process');
const args = process.argv.slice(2);
if (args.includes('--version')) { console.log('db version v${version}'); process.exit(0); }
const port = args[args.indexOf('--port') + 1];
const child = spawn(process.execPath, [...${JSON.stringify(embeddedArgs())}, '--port', port],
  { stdio: ['ignore', 'pipe', 'inherit'] });
child.stdout.setEncoding('utf8');
child.stdout.on('data', (text) => { if (/ready on/.test(text)) console.log('fake mongod: waiting for connections on port ' + port); });
child.on('exit', (code) => process.exit(code ?? 1));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { child.kill('SIGTERM'); });
// The library treats a mongod under 1 MiB as a truncated download; pad past that.
/*${'x'.repeat(1_100_000)}*/
`;
}

/** Builds mongodb-linux-...-<version>.tgz holding the fake mongod; returns the archive bytes. */
export function buildFakeArchive(workDir: string, archiveName: string, version: string): Buffer {
  const top = archiveName.replace(/\.tgz$/, '');
  mkdirSync(path.join(workDir, top, 'bin'), { recursive: true });
  const mongod = path.join(workDir, top, 'bin', 'mongod');
  writeFileSync(mongod, fakeMongodSource(version));
  chmodSync(mongod, 0o755);
  execFileSync('tar', ['-czf', archiveName, top], { cwd: workDir });
  return readFileSync(path.join(workDir, archiveName));
}

export interface FakeMirror {
  url: string;
  /** "METHOD /path" of every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `files` (path -> bytes) with HEAD and GET, like the real CDN (content-length included). */
export async function startFakeMirror(files: Map<string, Buffer>): Promise<FakeMirror> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const body = files.get(req.url ?? '');
    if (!body) {
      res.writeHead(403).end(); // what fastdl answers for a build that does not exist
      return;
    }
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/gzip' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function md5File(bytes: Buffer, name: string): Buffer {
  return Buffer.from(`${createHash('md5').update(bytes).digest('hex')}  ${name}\n`);
}
