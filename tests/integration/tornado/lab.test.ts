/**
 * The runtime knob through the lab's API: PUT /api/config {"runtime":"tornado"} switches
 * the server under study to the Tornado subject, a run on it stores a trace that validates
 * line by line, and a lab without Python refuses the switch with the install command.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse, RunSummary } from '../../../common/api';
import type { LabConfig } from '../../../common/config';
import { parseTraceEvent } from '../../../common/trace';
import type { StartedDatabase } from '../../../server/db/resolve';
import { TORNADO_INSTALL } from '../../../server/subject-tornado/python';
import { type RunningLab, makeDataDir, startLab, startSeededDatabase } from '../lab/harness';
import { noTornado, tornado } from './python';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
});
afterAll(async () => {
  await database?.stop();
  await data?.remove();
});

describe('a lab without Python', () => {
  let lab: RunningLab;
  beforeAll(async () => {
    const missing = { available: false as const, reason: 'python3: No module named tornado', install: TORNADO_INSTALL };
    lab = await startLab(database, data.dir, { tornado: () => Promise.resolve(missing) });
  });
  afterAll(() => lab?.close());

  it('says so in its health, and refuses the switch with the command that installs it', async () => {
    const health = await lab.json<HealthResponse>('GET', '/api/health');
    expect(health.body.runtimes?.tornado).toMatchObject({
      available: false,
      install: expect.stringContaining('python3-motor'),
    });
    const refused = await lab.json<{ error: string }>('PUT', '/api/config', { runtime: 'tornado' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toContain('sudo apt-get install python3-tornado python3-pymongo python3-motor');
    expect((await lab.json<LabConfig>('GET', '/api/config')).body.runtime).toBe('node');
  });

  it('refuses a runtime it does not know with a 400 that lists the runtimes', async () => {
    const refused = await lab.json<{ error: string }>('PUT', '/api/config', { runtime: 'django' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/node, tornado/);
  });
});

describe.skipIf(noTornado)('a lab with Python', () => {
  let lab: RunningLab;
  beforeAll(async () => {
    lab = await startLab(database, data.dir);
  });
  afterAll(() => lab?.close());

  it('names the non-blocking driver it found', async () => {
    const health = await lab.json<HealthResponse>('GET', '/api/health');
    expect(health.body.runtimes?.tornado).toMatchObject({ available: true });
    if (tornado.available)
      expect(tornado.asyncDriver).toMatch(/^(Motor .* \(pymongo on a thread pool\)|PyMongo .* AsyncMongoClient)/);
  });

  it('runs the Tornado subject and stores a trace that validates line by line', async () => {
    const applied = await lab.json<LabConfig>('PUT', '/api/config', {
      runtime: 'tornado',
      mode: 'blocking',
      dbLatencyMs: 10,
    });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ runtime: 'tornado', mode: 'blocking' });
    const started = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 10, concurrency: 5 });
    const summary: RunSummary = await lab.waitForRun(started.body.id);
    expect(summary).toMatchObject({ status: 'done', completed: 10, errors: 0 });
    const text = await (await fetch(`${lab.url}/api/runs/${started.body.id}/trace`)).text();
    const events = text
      .trim()
      .split('\n')
      .map((line) => parseTraceEvent(JSON.parse(line)));
    expect(events.filter((parsed) => !parsed.ok)).toEqual([]);
    const steps = events.flatMap((parsed) =>
      parsed.ok && parsed.event.type === 'handler.step' ? [parsed.event.handler] : [],
    );
    expect(new Set(steps)).toEqual(new Set(['get_user_blocking.py']));
    expect(steps).toHaveLength(10 * 4);
    // The trace says which driver served it.
    const first = events[0]!;
    expect(first.ok && first.event.type === 'run.started' && first.event.driver).toMatch(
      /^pymongo \d[\d.]*, blocking$/,
    );
    // And back to Node.
    expect((await lab.json<LabConfig>('PUT', '/api/config', { runtime: 'node' })).body.runtime).toBe('node');
  });
});
