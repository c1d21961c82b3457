/**
 * `npm start` runs the lab from its ahead-of-time build (build/server/) only while that build
 * matches every source it was made from: a missing or stale build is compiled again, and
 * when that cannot be done the lab runs from source through tsx. Old code never runs.
 *
 * On a copy of the lab's server code (node_modules linked), so the real checkout is never
 * touched; `--help` runs the lab's own code (its usage text) without starting anything.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_FORMAT, bundleFile, fingerprint, staleReason } from '../../../scripts/build-server.mjs';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TIMEOUT_MS = 180_000;
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'lab-prebuilt-'));
  for (const part of ['server', 'common', 'scripts', 'package.json', 'tsconfig.json']) {
    await cp(path.join(ROOT, part), path.join(root, part), { recursive: true });
  }
  await symlink(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

async function startHelp(env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [path.join(root, 'server/start.mjs'), '--help'],
    {
      cwd: root,
      env: { ...process.env, ...env },
      timeout: TIMEOUT_MS,
    },
  );
  return stdout + stderr;
}

const buildDir = () => path.join(root, 'build', 'server');

/** Changes the usage line `--help` prints, in the source (or, with `inBuild`, only in the build). */
async function relabel(file: string, label: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/usage(?: \([^)]*\))?: npm start/, `usage (${label}): npm start`));
}

describe('npm start and the ahead-of-time build', () => {
  it(
    'compiles a missing build, then runs the build (not the sources) while it matches them',
    async () => {
      const first = await startHelp();
      expect(first).toContain('compiling the server: build/server/ is missing');
      expect(first).toContain('usage: npm start');
      expect(staleReason({ root, outDir: buildDir() })).toBeUndefined();

      // Only the build says "from the build": if start ran anything else, this would not print.
      await relabel(path.join(buildDir(), 'lab.mjs'), 'from the build');
      const second = await startHelp();
      expect(second).not.toContain('compiling the server');
      expect(second).toContain('usage (from the build): npm start');
    },
    TIMEOUT_MS,
  );

  it(
    'never runs a build older than a source: it compiles again and runs the new code',
    async () => {
      await relabel(path.join(root, 'server/cli.ts'), 'edited');
      expect(staleReason({ root, outDir: buildDir() })).toBe('server/cli.ts changed since the last build');
      const output = await startHelp();
      expect(output).toContain('compiling the server: server/cli.ts changed since the last build');
      expect(output).toContain('usage (edited): npm start');
      expect(staleReason({ root, outDir: buildDir() })).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  it(
    'runs the sources through tsx when the build cannot be made',
    async () => {
      await relabel(path.join(root, 'server/cli.ts'), 'edited again');
      // build/ as a file: nothing can be compiled into it.
      await rm(path.join(root, 'build'), { recursive: true, force: true });
      await writeFile(path.join(root, 'build'), 'not a folder');
      try {
        const output = await startHelp();
        expect(output).toMatch(/the server could not be compiled \(.+\); starting it from source through tsx/);
        expect(output).toContain('usage (edited again): npm start');
      } finally {
        await rm(path.join(root, 'build'), { force: true });
      }
    },
    TIMEOUT_MS,
  );

  it(
    'runs the sources through tsx with LAB_FROM_SOURCE=1, build or not',
    async () => {
      await relabel(path.join(root, 'server/cli.ts'), 'from source');
      const output = await startHelp({ LAB_FROM_SOURCE: '1' });
      expect(output).not.toContain('compiling the server');
      expect(output).toContain('usage (from source): npm start');
    },
    TIMEOUT_MS,
  );
});

describe('staleReason', () => {
  const manifest = (dir: string, inputs: Record<string, string | undefined>, format = BUILD_FORMAT) =>
    writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ format, inputs }));

  it('names what makes a build unusable: another format, a missing bundle, a source gone or changed', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lab-manifest-'));
    try {
      const source = path.join(dir, 'source.ts');
      await writeFile(source, 'export const a = 1;\n');
      for (const name of ['lab', 'embedded', 'proxy', 'subject', 'dbThread'] as const)
        await writeFile(path.join(dir, bundleFile(name)), '');
      await manifest(dir, { 'source.ts': fingerprint(source) });
      expect(staleReason({ root: dir, outDir: dir })).toBeUndefined();

      await manifest(dir, { 'source.ts': fingerprint(source) }, BUILD_FORMAT + 1);
      expect(staleReason({ root: dir, outDir: dir })).toMatch(/made by another version of the build/);

      await manifest(dir, { 'source.ts': fingerprint(source) });
      // Same size, one second newer: a change.
      const later = new Date(Date.now() + 1000);
      await utimes(source, later, later);
      expect(staleReason({ root: dir, outDir: dir })).toBe('source.ts changed since the last build');

      await manifest(dir, { 'source.ts': fingerprint(source) });
      await rm(path.join(dir, 'subject.mjs'));
      expect(staleReason({ root: dir, outDir: dir })).toMatch(/subject\.mjs is missing/);

      await writeFile(path.join(dir, 'subject.mjs'), '');
      await rm(source);
      expect(staleReason({ root: dir, outDir: dir })).toBe('source.ts is gone since the last build');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never matches a file modified while it was being compiled', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'lab-manifest-'));
    try {
      const source = path.join(dir, 'source.ts');
      await writeFile(source, 'export const a = 1;\n');
      const before = Date.now() - 60_000;
      expect(fingerprint(source, before)).toBe('changed while compiling');
      expect(fingerprint(source, Date.now() + 60_000)).toBe(fingerprint(source));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
