/** Classroom mode and handler editing: students never edit the code the room's subject runs. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandlerFile } from '../../../common/handlers';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startSeededDatabase } from '../lab/harness';
import { startClassroomLab, type ClassroomLab } from './harness';

const FILE = 'getUser.nonblocking.ts';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: ClassroomLab;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startClassroomLab(database, data.dir, { config: { dbLatencyMs: 0 } });
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

describe('handler editing in a classroom', () => {
  it('refuses a student (and a stranger) with 403 and lets the presenter on loopback edit', async () => {
    const { cookie } = await lab.join('Ada');
    const source = (await lab.call('GET', '/api/handlers', { as: 'presenter' }))
      .json<HandlerFile[]>()
      .find((h) => h.file === FILE)!.source;
    for (const as of [cookie, undefined]) {
      expect((await lab.call('PUT', `/api/handlers/${FILE}`, { as, body: { source } })).status).toBe(403);
      expect((await lab.call('DELETE', `/api/handlers/${FILE}`, { as })).status).toBe(403);
      expect((await lab.call('GET', '/api/handlers', { as })).status).toBe(403);
    }
    expect(
      (await lab.call('PUT', `/api/handlers/${FILE}`, { as: 'presenter', body: { source: `${source}\n// edited\n` } }))
        .status,
    ).toBe(200);
    expect((await lab.call('DELETE', `/api/handlers/${FILE}`, { as: 'presenter' })).status).toBe(200);
  });
});
