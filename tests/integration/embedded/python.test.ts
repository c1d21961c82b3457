/**
 * The Python conformance suite (python/conformance.py) against the embedded server: pymongo
 * 3.11 and Motor 2.3 on Tornado, clients the server was not written against. It runs when
 * /usr/bin/python3 has them, skips loudly when not, and fails under CI=true (CI installs
 * python3-tornado, python3-pymongo and python3-motor).
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedServer } from '../../../server/db/embedded';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/conformance.py', import.meta.url));
const probe = spawnSync(PYTHON, ['-c', 'import pymongo, motor, tornado'], { encoding: 'utf8' });
const missing =
  probe.status === 0
    ? undefined
    : (probe.stderr || probe.error?.message || 'python3 not found').trim().split('\n').at(-1);

if (missing) {
  const message = `pymongo/motor not found, Python conformance suite SKIPPED: ${missing}. Install: sudo apt-get install python3-tornado python3-pymongo python3-motor`;
  if (process.env.CI === 'true') throw new Error(`CI=true: ${message}`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
}

let server: EmbeddedServer;
beforeAll(async () => {
  if (!missing) server = await startEmbeddedServer({ log: () => undefined });
});
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(Boolean(missing))('pymongo and Motor against the embedded server', () => {
  it('passes every check of the Python conformance suite', async () => {
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(PYTHON, [SCRIPT, server.uri], { timeout: 120_000 }, (error, out) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    const results = stdout.split('\n').filter((line) => /^(ok|FAIL) /.test(line));
    expect(
      results.filter((line) => line.startsWith('FAIL')),
      stdout,
    ).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(9);
    expect(code).toBe(0);
  }, 180_000);
});
