/**
 * The lab in a folder whose path has a space ("/home/ana/my labs/event-loop-lab"): every
 * child it spawns must be found on disk. A copy of server/ and common/ in such a folder
 * starts the latency proxy and the subject's processes for real.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let copy: string;

beforeAll(async () => {
  copy = await mkdtemp(path.join(tmpdir(), 'lab with space '));
  for (const part of ['server', 'common', 'package.json', 'tsconfig.json']) {
    await cp(path.join(ROOT, part), path.join(copy, part), { recursive: true });
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  await writeFile(
    path.join(copy, 'probe.ts'),
    `import { startProxyProcess } from './server/subject/processes';
const proxy = await startProxyProcess({ host: '127.0.0.1', port: 9 }, 0);
console.log('proxy listening on ' + proxy.port);
await proxy.stop();
`,
  );
});

afterAll(async () => {
  if (copy) await rm(copy, { recursive: true, force: true });
});

it('starts its child processes from a folder whose path has a space', async () => {
  expect(copy).toContain(' ');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(copy, 'probe.ts')], {
    cwd: copy,
    timeout: 60_000,
  });
  expect(stdout).toMatch(/proxy listening on \d+/);
}, 90_000);
