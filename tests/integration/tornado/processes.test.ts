/**
 * No orphan Python processes: the Tornado subject (and, with workers, its balancer's
 * Python workers) exits when the lab stops it, and when the lab itself dies without a
 * chance to clean up (SIGKILL): each Python process watches its IPC channel to the lab.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../common/config';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { createSubjectSupervisor } from '../../../server/subject/supervisor';
import { type Database, eventually, request, startDatabase } from '../subject/harness';
import { alive, childPids, runsTornado } from './pids';
import { noTornado } from './python';

const LAB_PROCESS = fileURLToPath(new URL('./labProcess.ts', import.meta.url));
const tsx = createRequire(import.meta.url).resolve('tsx');

describe.skipIf(noTornado)('Tornado subject processes', () => {
  let database: Database;
  beforeAll(async () => {
    database = await startDatabase();
  });
  afterAll(async () => {
    await database?.stop();
  });

  it('stops the subject, and a balancer with all its Python workers', async () => {
    for (const workers of [1, 3]) {
      const supervisor = createSubjectSupervisor({
        mongoUri: database.server.uri,
        dbName: LAB_DB_NAME,
        onEvents: () => undefined,
      });
      await supervisor.start({ ...DEFAULT_CONFIG, runtime: 'tornado', workers });
      expect((await request(`${supervisor.url()}/users/alice`)).status).toBe(200);
      const subject = supervisor.pids().subject!;
      const pythons = workers > 1 ? childPids(subject) : [subject];
      expect(pythons.filter(runsTornado)).toHaveLength(workers);
      await supervisor.stop();
      await eventually(() => [subject, ...pythons].every((pid) => !alive(pid)), 10_000, 50);
    }
  });

  it.each([1, 2])(
    'leaves no Python process behind when the lab is killed with SIGKILL (workers %i)',
    async (workers) => {
      const lab = spawn(
        process.execPath,
        ['--import', tsx, LAB_PROCESS, database.server.uri, String(workers), inject('labBuildDir')],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        lab.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          const json = text.split('\n').find((candidate) => candidate.startsWith('{'));
          if (json) resolve(json);
        });
        lab.once('exit', (code) => reject(new Error(`the lab process exited early (${code})`)));
      });
      const { processes } = JSON.parse(line) as { processes: number[] };
      expect(processes.filter(runsTornado)).toHaveLength(workers);
      lab.kill('SIGKILL');
      await eventually(() => processes.every((pid) => !alive(pid)), 15_000, 50);
    },
  );
});
