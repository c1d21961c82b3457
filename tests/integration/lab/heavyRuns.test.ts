/**
 * Heavy use never takes the lab down: a big import does not stall the API, an open-loop run
 * far above the subject's capacity still ends (and says what it could not send), and a run
 * deleted as it finishes stays deleted.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from './harness';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

const filesOf = async (id: string) => (await readdir(path.join(data.dir, 'runs'))).filter((name) => name.startsWith(id));

describe('deleting a run as it finishes', () => {
  it('never lists it again and leaves no file behind', async () => {
    for (let attempt = 0; attempt < 6; attempt++) {
      const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 30 + attempt * 7, concurrency: 3 });
      // DELETE answers 409 while the run runs; the first 204 lands as close to its end as a client can get.
      let status = 409;
      while (status === 409) status = (await lab.json('DELETE', `/api/runs/${body.id}`)).status;
      expect(status).toBe(204);
      await lab.lab.settled();
      expect((await lab.json('GET', `/api/runs/${body.id}`)).status).toBe(404);
      expect((await lab.json<RunSummary[]>('GET', '/api/runs')).body.map((run) => run.id)).not.toContain(body.id);
      expect((await fetch(`${lab.url}/api/runs/${body.id}/trace`)).status).toBe(404);
      expect(await filesOf(body.id)).toEqual([]);
    }
  });
});
