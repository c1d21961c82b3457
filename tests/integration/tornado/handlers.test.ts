/**
 * Editing the Tornado subject's Python handlers against the real lab: the lab's Python checks
 * the syntax, a real Tornado process imports the edited file, a real database answers.
 * Timing comparisons live in tests/timing/tornado/handlers.timing.test.ts.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../../common/api';
import type { LabConfig } from '../../../common/config';
import type { HandlerCheck, HandlerCompileError, HandlerFile } from '../../../common/handlers';
import type { StartedDatabase } from '../../../server/db/resolve';
import { sourceHash } from '../../../server/subject/handlers/catalog';
import { makeDataDir, startLab, startSeededDatabase, type RunningLab } from '../lab/harness';
import { noTornado } from './python';

const FILE = 'get_user_nonblocking.py';

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
let original: string;

const startTornadoLab = async (editedLimits?: { deadlineMs: number; watchdogMs: number }): Promise<RunningLab> => {
  const started = await startLab(database, data.dir, { config: { dbLatencyMs: 0 }, editedLimits });
  const applied = await started.json<LabConfig>('PUT', '/api/config', { runtime: 'tornado', mode: 'nonblocking' });
  expect(applied.status).toBe(200);
  return started;
};

const getUser = async (username = 'alice') => {
  const res = await fetch(`${lab.url}/subject/users/${username}`, { headers: { accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The original with its answer replaced: the greeting, so a reply shows which version served it. */
const withGreeting = (greeting: string) =>
  original.replace('self.greet(user)', `self.send_json(200, {'greeting': ${JSON.stringify(greeting)}})`);

const entry = async (file = FILE) =>
  (await lab.json<HandlerFile[]>('GET', '/api/handlers')).body.find((h) => h.file === file)!;

describe.skipIf(noTornado)('editing the Tornado subject handlers', () => {
  beforeAll(async () => {
    database = await startSeededDatabase();
    data = await makeDataDir();
    lab = await startTornadoLab();
    original = (await entry()).source;
  }, 60_000);

  afterAll(async () => {
    await lab?.close();
    await database?.stop();
    await data?.remove();
  });

  it("lists the Tornado runtime's handler files with their sources, unedited", async () => {
    const { status, body } = await lab.json<HandlerFile[]>('GET', '/api/handlers');
    expect(status).toBe(200);
    const onDisk = readdirSync(new URL('../../../server/subject-tornado/handlers/', import.meta.url)).filter((f) =>
      /_(blocking|nonblocking|callback)\.py$/.test(f),
    );
    expect(body.map((h) => h.file).sort()).toEqual(onDisk.sort());
    expect(body.every((h) => h.runtime === 'tornado')).toBe(true);
    const nonblocking = body.find((h) => h.file === FILE)!;
    expect(nonblocking).toMatchObject({ edited: false, hash: sourceHash(nonblocking.source) });
    expect(nonblocking.source).toContain("self.step('query')");
  });

  it('serves an edited handler as soon as PUT answers, keeps it in the data dir, and DELETE restores the original', async () => {
    expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
    const put = await lab.json<HandlerFile>('PUT', `/api/handlers/${FILE}`, {
      source: withGreeting('edited in Python!'),
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      file: FILE,
      runtime: 'tornado',
      edited: true,
      hash: sourceHash(withGreeting('edited in Python!')),
    });
    expect((await getUser()).body).toEqual({ greeting: 'edited in Python!' });
    expect(await readFile(path.join(data.dir, 'handlers', 'tornado', FILE), 'utf8')).toBe(
      withGreeting('edited in Python!'),
    );
    // The other style of the route is untouched.
    expect((await entry('get_user_blocking.py')).edited).toBe(false);

    const reset = await lab.json<HandlerFile>('DELETE', `/api/handlers/${FILE}`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ edited: false, source: original });
    expect((await getUser()).body).toMatchObject({ username: 'alice', greeting: 'Hello, Alice!' });
  }, 60_000);

  it("refuses a syntax error with the interpreter's line and column, and keeps serving the running version", async () => {
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: withGreeting('running') })).status).toBe(200);
    const broken = withGreeting('running').replace(
      'username = parse_username(username)',
      'username = parse_username(username',
    );
    const line =
      broken.split('\n').findIndex((text) => text.includes('parse_username(username') && !text.includes('import')) + 1;
    const put = await lab.json<HandlerCompileError>('PUT', `/api/handlers/${FILE}`, { source: broken });
    expect(put.status).toBe(400);
    expect(put.body.line).toBe(line);
    expect(put.body.column).toBeGreaterThan(1);
    expect(put.body.error).toMatch(/SyntaxError: .*(never closed|invalid syntax)/);
    expect((await getUser()).body).toEqual({ greeting: 'running' });
    expect(await entry()).toMatchObject({ edited: true, source: withGreeting('running') });

    const indented = await lab.json<HandlerCompileError>('PUT', `/api/handlers/${FILE}`, {
      source: original.replace("        self.step('cpu')", "          self.step('cpu')"),
    });
    expect(indented.status).toBe(400);
    expect(indented.body.error).toMatch(/IndentationError/);
    expect(indented.body.line).toBe(original.split('\n').findIndex((text) => text.includes("self.step('cpu')")) + 1);
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
  }, 60_000);

  it('refuses an edit that fails on import or drops its class, and keeps serving the running version', async () => {
    const failing = await lab.json<HandlerCompileError>('PUT', `/api/handlers/${FILE}`, {
      source: `${original}\nraise RuntimeError('boom at import')\n`,
    });
    expect(failing.status).toBe(400);
    expect(failing.body.error).toMatch(/boom at import/);
    const renamed = await lab.json<HandlerCompileError>('PUT', `/api/handlers/${FILE}`, {
      source: original.replace('class GetUser(', 'class FetchUser('),
    });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error).toMatch(/GetUser/);
    expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
    expect((await entry()).edited).toBe(false);
  }, 60_000);

  it('checks a Python edit for syntax only: a line and column for an error, nothing applied', async () => {
    const check = (source: string, file = FILE) =>
      lab.json<HandlerCheck>('POST', `/api/handlers/${file}/check`, { source });
    expect((await check(original)).body).toEqual({ checked: true, problems: [] });
    const broken = await check(original.replace('def get(self, username):', 'def get(self, username)'));
    expect(broken.status).toBe(200);
    expect(broken.body.problems).toHaveLength(1);
    expect(broken.body.problems[0]).toMatchObject({
      kind: 'syntax',
      line: original.split('\n').findIndex((t) => t.includes('def get(self, username):')) + 1,
    });
    expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
    expect((await check('x', 'base.py')).status).toBe(404);
  });

  it('answers an exception with a 500 whose traceback names the edited file and line', async () => {
    const throwing = original.replace(
      "        self.step('query')\n",
      "        self.step('query')\n        raise ValueError('oops from the edit')\n",
    );
    const line = throwing.split('\n').findIndex((text) => text.includes('oops from the edit')) + 1;
    expect(line).toBeGreaterThan(0);
    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: throwing })).status).toBe(200);
    const answer = await getUser();
    expect(answer.status).toBe(500);
    expect(answer.body.error).toBe('ValueError: oops from the edit');
    expect(String(answer.body.stack)).toContain(`File "${FILE}", line ${line}, in get`);
    expect(String(answer.body.stack)).not.toContain('/staged/');
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
    expect((await getUser()).status).toBe(200);
  }, 60_000);

  it("records the edited Python handler's hash and source in the run's trace", async () => {
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
    expect(first.handlers.find((h) => h.file === 'get_user_blocking.py')).toEqual({
      file: 'get_user_blocking.py',
      hash: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(first.handlers.some((h) => h.file.endsWith('.ts'))).toBe(false);
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
  }, 60_000);

  it('refuses a Node handler while the lab runs Tornado, and a Tornado edit survives a lab restart and a trip to Node', async () => {
    const node = await lab.json<{ error: string }>('PUT', '/api/handlers/getUser.nonblocking.ts', { source: 'x' });
    expect(node.status).toBe(409);
    expect(node.body.error).toMatch(/switch the runtime to node/);

    expect((await lab.json('PUT', `/api/handlers/${FILE}`, { source: withGreeting('still here') })).status).toBe(200);
    expect((await lab.json('PUT', '/api/config', { runtime: 'node' })).status).toBe(200);
    expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
    expect((await lab.json<{ error: string }>('PUT', `/api/handlers/${FILE}`, { source: original })).status).toBe(409);
    await lab.close();
    lab = await startTornadoLab();
    expect((await entry()).edited).toBe(true);
    expect((await getUser()).body).toEqual({ greeting: 'still here' });
    expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
    expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
  }, 90_000);

  /**
   * The lab gives an edited handler 10 s to answer and 10 s of a held loop before its watchdog
   * restarts the subject. These tests wait those limits out, so the lab restarts here with limits
   * of a few seconds: the same code paths, without 20 s of waiting. Only these tests get them: a
   * busy machine must never time out the other tests' edits.
   */
  describe('edits that never answer, with limits of a few seconds', () => {
    const LIMITS = { deadlineMs: 2000, watchdogMs: 4000 };

    beforeAll(async () => {
      await lab.close();
      lab = await startTornadoLab(LIMITS);
    }, 60_000);

    it('answers 504 for an edit that never answers (a Future nobody resolves), while other requests are served meanwhile', async () => {
      const hanging = original.replace(
        "        self.step('query')\n",
        "        self.step('query')\n        await __import__('asyncio').Event().wait()\n",
      );
      expect(hanging).not.toBe(original);
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

    it('keeps the lab usable after a Python handler holds the loop: the watchdog restarts the subject and says why', async () => {
      const endless = original.replace(
        "        self.step('query')\n",
        "        self.step('query')\n        while True:\n            pass\n",
      );
      expect(endless).not.toBe(original);
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
      expect((await lab.json('DELETE', `/api/handlers/${FILE}`)).status).toBe(200);
      expect((await getUser()).body).toMatchObject({ greeting: 'Hello, Alice!' });
    }, 90_000);
  });
});
