/**
 * Editing handlers against the real lab: a real subject process imports the edited module,
 * a real database answers. Timing comparisons live in tests/timing/handlers.timing.test.ts.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../../common/api';
import type { HandlerCheck, HandlerCompileError, HandlerFile } from '../../../common/handlers';
import { sourceHash } from '../../../server/subject/handlers/catalog';
import type { StartedDatabase } from '../../../server/db/resolve';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from './harness';

const FILE = 'getUser.nonblocking.ts';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
let original: string;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
  original = (await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === FILE)!.source;
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

const getUser = async (username = 'alice') => {
  const res = await fetch(`${lab.url}/subject/users/${username}`, { headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The original with one line replaced: the greeting, so a reply shows which version served it. */
const withGreeting = (greeting: string) =>
  original.replace(
    'sendGreeting(req, res, user);',
    `res.writeHead(200, { 'content-type': 'application/json' });\n  res.end(JSON.stringify({ greeting: ${JSON.stringify(greeting)} }));`,
  );

describe('the handlers API', () => {
  it('lists every handler file of the runtime with its source, unedited', async () => {
    const { status, body } = await lab.json<HandlerFile[]>('GET', '/api/handlers');
    expect(status).toBe(200);
    expect(body.map((h) => h.file)).toContain(FILE);
    const onDisk = readdirSync(new URL('../../../server/subject/handlers/', import.meta.url)).filter((f) =>
      /\.(blocking|nonblocking|callback)\.ts$/.test(f),
    );
    expect(body.map((h) => h.file).sort()).toEqual(onDisk.sort());
    const entry = body.find((h) => h.file === FILE)!;
    expect(entry).toMatchObject({ runtime: 'node', edited: false, hash: sourceHash(entry.source) });
    expect(entry.source).toContain("step('query')");
  });

  it('serves an edited handler as soon as PUT answers, keeps it in the data dir, and DELETE restores the original', async () => {
    const put = await lab.json<HandlerFile>('PUT', `/api/handlers/${FILE}`, { source: withGreeting('edited!') });
    expect(put.body).toMatchObject({ file: FILE, edited: true });
    expect(put.status).toBe(200);
    expect((await getUser()).body).toEqual({ greeting: 'edited!' });
    expect(await readFile(path.join(data.dir, 'handlers', FILE), 'utf8')).toBe(withGreeting('edited!'));

    const reset = await lab.json<HandlerFile>('DELETE', `/api/handlers/${FILE}`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ edited: false, source: original });
    expect((await getUser()).body).toMatchObject({ username: 'alice', greeting: 'Hello, Alice!' });
  });

  it('refuses a syntax error with its line and column, and keeps serving the running version', async () => {
    const broken = original.replace(
      'const username = parseUsername(params.username);',
      'const username = parseUsername(params.username;',
    );
    const line = broken.split('\n').findIndex((text) => text.includes('parseUsername(params.username;')) + 1;
    const put = await lab.json<HandlerCompileError>('PUT', `/api/handlers/${FILE}`, { source: broken });
    expect(put.status).toBe(400);
    expect(put.body.line).toBe(line);
    expect(put.body.column).toBeGreaterThan(1);
    expect(put.body.error).toMatch(/expected/i);
    expect((await getUser()).status).toBe(200);
    expect((await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === FILE)!.edited).toBe(
      false,
    );
  });

  it('refuses a file that is not a handler, a path, a missing source and one without the export', async () => {
    expect((await lab.json('PUT', '/api/handlers/..%2F..%2Fcli.ts', { source: 'x' })).status).toBe(404);
    expect((await lab.json('PUT', '/api/handlers/context.ts', { source: 'x' })).status).toBe(404);
    expect((await lab.json('DELETE', '/api/handlers/nope.ts')).status).toBe(404);
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, {})).status).toBe(400);
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: 'x'.repeat(70_000) })).status).toBe(400);
    const renamed = await lab.json<HandlerCompileError>('PUT', `/api/handlers/${FILE}`, {
      source: original.replace('function getUser', 'function fetchUser'),
    });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error).toMatch(/must export a function named getUser/);
  });

  it('answers an exception with a 500 whose stack names the edited line', async () => {
    const throwing = original.replace("step('query');", "step('query');\n  throw new Error('oops from the edit');");
    const line = throwing.split('\n').findIndex((text) => text.includes('oops from the edit')) + 1;
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: throwing })).status).toBe(200);
    const answer = await getUser();
    expect(answer.status).toBe(500);
    expect(answer.body.error).toBe('Error: oops from the edit');
    expect(String(answer.body.stack)).toContain(`${FILE}:${line}:`);
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
  });

  it("records the serving versions' hashes, and the edited source, in the run's trace", async () => {
    const edited = withGreeting('traced');
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: edited })).status).toBe(200);
    const { body } = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 3, concurrency: 3 });
    await lab.waitForRun(body.id);
    const first = JSON.parse((await (await fetch(`${lab.url}/api/runs/${body.id}/trace`)).text()).split('\n')[0]!) as {
      type: string;
      handlers: { file: string; hash: string; source?: string }[];
    };
    expect(first.type).toBe('run.started');
    expect(first.handlers.find((h) => h.file === FILE)).toEqual({
      file: FILE,
      hash: sourceHash(edited),
      source: edited,
    });
    const blocking = first.handlers.find((h) => h.file === 'getUser.blocking.ts')!;
    expect(blocking.source).toBeUndefined();
    expect(blocking.hash).toMatch(/^[0-9a-f]{16}$/);
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
  });

  it('type-checks an edit before it is applied: a forgotten await is a type error at its line, still appliable; nothing is applied by a check', async () => {
    const check = (source: string) => lab.json<HandlerCheck>('POST', `/api/handlers/${FILE}/check`, { source });
    const clean = await check(original);
    expect(clean.status).toBe(200);
    expect(clean.body).toEqual({ checked: true, problems: [] });

    const forgotten = original.replace(
      'const user = await users.findOne({ username });',
      'const user = users.findOne({ username });',
    );
    const line = forgotten.split('\n').findIndex((text) => text.includes('sendGreeting(req, res, user)')) + 1;
    const typed = await check(forgotten);
    expect(typed.status).toBe(200);
    expect(typed.body.checked).toBe(true);
    const problem = typed.body.problems.find((p) => p.line === line);
    expect(problem).toMatchObject({ kind: 'type' });
    expect(problem!.message).toMatch(/Promise/);
    expect(problem!.column).toBeGreaterThan(1);
    // A check applies nothing: the original still serves.
    expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
    expect((await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === FILE)!.edited).toBe(
      false,
    );

    const unknownName = await check(original.replace('cpu();', 'cpuu();'));
    expect(unknownName.body.problems.map((p) => p.message).join(' ')).toMatch(/cpuu/);

    const syntax = await check(original.replace('parseUsername(params.username);', 'parseUsername(params.username;'));
    expect(syntax.body.problems.some((p) => p.kind === 'syntax')).toBe(true);

    // Types are erased when code runs: the forgotten await applies, and answers without waiting for the database.
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: forgotten })).status).toBe(200);
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
  }, 240_000); // the first check loads TypeScript: up to 180 s on a busy machine (typeCheck.ts)

  it('refuses a check of a file that is not a handler, or a source that is too long', async () => {
    expect((await lab.json('POST', '/api/handlers/nope.ts/check', { source: 'x' })).status).toBe(404);
    expect((await lab.json('POST', `/api/handlers/${FILE}/check`, { source: 'x'.repeat(70_000) })).status).toBe(400);
    expect((await lab.json('POST', `/api/handlers/${FILE}/check`, { source: 1 })).status).toBe(400);
  });

  it('loads the edits a previous lab left in the data dir', async () => {
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: withGreeting('still here') })).status).toBe(200);
    await lab.close();
    lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 } });
    expect((await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === FILE)!.edited).toBe(
      true,
    );
    expect((await getUser()).body).toEqual({ greeting: 'still here' });
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
  });
});

describe('who may edit', () => {
  it('refuses editing on a lab listening on every interface, unless started with --allow-edit', async () => {
    const open = await startLab(database, (await makeDataDir()).dir, { host: '0.0.0.0' });
    try {
      const answer = await open.json<{ error: string }>('PUT', `/api/handlers/${FILE}`, { source: original });
      expect(answer.status).toBe(403);
      expect(answer.body.error).toMatch(/--allow-edit/);
      expect((await open.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(403);
      expect((await open.json('POST', `/api/handlers/${FILE}/check`, { source: original })).status).toBe(403);
      expect((await open.json('GET', '/api/handlers')).status).toBe(200);
    } finally {
      await open.close();
    }
    const allowed = await startLab(database, (await makeDataDir()).dir, { host: '0.0.0.0', allowEdit: true });
    try {
      expect((await allowed.json('PUT', `/api/handlers/${FILE}`, { source: withGreeting('allowed') })).status).toBe(
        200,
      );
    } finally {
      await allowed.close();
    }
  });

  it('refuses a web page: another site by its Origin, a rebound name by its Host', async () => {
    const put = (headers: Record<string, string>) =>
      lab.app.inject({
        method: 'PUT',
        url: `/api/handlers/${FILE}`,
        headers: { 'content-type': 'application/json', ...headers },
        payload: JSON.stringify({ source: original }),
      });
    const port = new URL(lab.url).port;
    const crossSite = await put({ origin: 'https://evil.example', host: `127.0.0.1:${port}` });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json<{ error: string }>().error).toMatch(/may not change this lab/);
    const rebound = await put({ origin: `http://evil.example:${port}`, host: `evil.example:${port}` });
    expect(rebound.statusCode).toBe(421);
    expect(rebound.json<{ error: string }>().error).toMatch(/does not answer to the host "evil\.example/);
    expect(
      (
        await lab.app.inject({
          method: 'DELETE',
          url: `/api/handlers/${FILE}`,
          headers: { host: `evil.example:${port}` },
        })
      ).statusCode,
    ).toBe(421);
    const sameOrigin = await put({ origin: `http://localhost:${port}`, host: `localhost:${port}` });
    expect(sameOrigin.statusCode).toBe(200);
  });
});

/**
 * The lab gives an edited handler 10 s to answer (guard.ts) and 10 s of a held loop before its
 * watchdog restarts the subject (watchdog.ts). These tests wait those limits out, so the lab
 * restarts here with limits of a few seconds: the same code paths, without 20 s of waiting.
 * Only these tests get them: a busy machine must never time out the other tests' edits.
 */
describe('edits that never answer, with limits of a few seconds', () => {
  const LIMITS = { deadlineMs: 2000, watchdogMs: 4000 };

  beforeAll(async () => {
    await lab.close();
    lab = await startLab(database, data.dir, { config: { dbLatencyMs: 0 }, editedLimits: LIMITS });
  });

  it('answers 504 for an edit that never answers (a promise that never settles), while other requests are served meanwhile', async () => {
    const hanging = original.replace("step('query');", "step('query');\n  await new Promise(() => undefined);");
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: hanging })).status).toBe(200);
    const started = performance.now();
    const stuck = getUser();
    // The loop is free while the edit waits forever: another route answers at once.
    const other = await fetch(`${lab.url}/subject/users?city=Paris&limit=1`, {
      headers: { accept: 'application/json' },
    });
    expect(other.status).toBe(200);
    const answer = await stuck;
    expect(answer.status).toBe(504);
    expect(answer.body.error).toBe(`the handler did not answer within ${LIMITS.deadlineMs / 1000} s`);
    expect(performance.now() - started).toBeGreaterThanOrEqual(LIMITS.deadlineMs - 50);
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
    expect((await getUser()).status).toBe(200);
  }, 60_000);

  it('keeps the lab usable after a handler holds the loop: the watchdog restarts the subject and says why', async () => {
    const endless = original.replace("step('query');", "step('query');\n  for (;;) {}");
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: endless })).status).toBe(200);
    const stuck = fetch(`${lab.url}/subject/users/alice`).then(
      (res) => res.status,
      () => 0,
    );
    let said: string | undefined;
    const deadline = Date.now() + 60_000;
    while (!said && Date.now() < deadline) {
      const health = (await lab.json<HealthResponse>('GET', '/api/health')).body;
      if (health.subject.message?.includes('held the loop')) said = health.subject.message;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(said).toContain(`your handler held the loop for ${LIMITS.watchdogMs / 1000} s`);
    expect(await stuck).toBeGreaterThanOrEqual(500);
    // The lab answers, and after a reset the subject serves the original again.
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
    expect((await getUser()).status).toBe(200);
  }, 90_000);
});
