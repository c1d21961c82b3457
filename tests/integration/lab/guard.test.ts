/**
 * A web page the learner visits must not drive the lab: a Host that is not the lab's own
 * (DNS rebinding) gets 421, a foreign Origin on a change or a WebSocket gets 403, a body
 * that is not JSON gets 415; the lab's own pages, scripts without an Origin, --allow-host
 * names, --allow-origin origins and classroom phones on the LAN address keep working.
 * And the live stream admits a bounded number of sockets, per client address and in all.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { StartedDatabase } from '../../../server/db/resolve';
import { publicHost } from '../../../server/lab/classroom/joinUrl';
import { createClassroom } from '../../../server/lab/classroom/session';
import { LIVE_MAX_SOCKETS, LIVE_MAX_SOCKETS_PER_ADDRESS } from '../../../server/lab/live';
import { makeDataDir, startLab, startSeededDatabase, until, type RunningLab } from './harness';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json<T = { error: string }>(): T;
}

/** One request with exactly these headers (fetch would not let a test choose Host). */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        hostname,
        port,
        method,
        path,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: <T>() => JSON.parse(text) as T,
          }),
        );
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

type Opened =
  | { open: true; socket: WebSocket; messages: string[] }
  | { open: false; status?: number; code?: number; reason?: string };

/** Opens /api/live and waits for the hello, a refused upgrade (status) or a close (code, reason). */
function live(url: string, options: { host?: string; origin?: string; localAddress?: string } = {}): Promise<Opened> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/live`, {
    headers: options.host ? { host: options.host } : {},
    ...(options.origin ? { origin: options.origin } : {}),
    ...(options.localAddress ? { localAddress: options.localAddress } : {}),
  });
  const messages: string[] = [];
  return new Promise((resolve, reject) => {
    socket.on('message', (data) => {
      messages.push(String(data));
      if (messages.length === 1) resolve({ open: true, socket, messages });
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ open: false, status: response.statusCode });
      socket.terminate();
    });
    socket.once('close', (code, reason) => resolve({ open: false, code, reason: String(reason) }));
    socket.once('error', (error) =>
      error.message.startsWith('Unexpected server response') ? undefined : reject(error),
    );
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ALLOWED_ORIGIN = 'https://lessons.example';
let userCount = 0;
const newUser = () =>
  JSON.stringify({ username: `guard-${process.pid}-${Date.now()}-${userCount++}`, first_name: 'Gus' });

let database: StartedDatabase;
let data: Awaited<ReturnType<typeof makeDataDir>>;
let lab: RunningLab;
let port: number;
let trace: string;

beforeAll(async () => {
  database = await startSeededDatabase();
  data = await makeDataDir();
  lab = await startLab(database, data.dir, {
    config: { dbLatencyMs: 0 },
    allowHosts: ['lab.example', 'fixed.example:1'],
    allowOrigins: [ALLOWED_ORIGIN],
  });
  port = (lab.app.server.address() as AddressInfo).port;
  const started = await lab.json<{ id: string }>('POST', '/api/runs', { requests: 4, concurrency: 2 });
  await lab.waitForRun(started.body.id);
  trace = await (await fetch(`${lab.url}/api/runs/${started.body.id}/trace`)).text();
});

afterAll(async () => {
  await lab?.close();
  await database?.stop();
  await data?.remove();
});

describe('the Host header (DNS rebinding)', () => {
  const attacker = () => ({ host: `attacker.example:${port}` });

  it("refuses a name that is not the lab's with 421 on every kind of route", async () => {
    const attempts: Array<[string, string, Record<string, string>, string?]> = [
      ['PUT', '/api/config', JSON_HEADERS, JSON.stringify({ dbLatencyMs: 7 })],
      ['GET', '/api/config', {}],
      ['GET', '/subject/users/alice', {}],
      ['POST', '/subject/users', JSON_HEADERS, newUser()],
      ['GET', '/', { accept: 'text/html' }],
      ['GET', '/no/such/thing', {}],
    ];
    for (const [method, path, headers, body] of attempts) {
      const answer = await send(lab.url, method, path, { ...headers, ...attacker() }, body);
      expect(answer.status, `${method} ${path}`).toBe(421);
      expect(answer.json().error, `${method} ${path}`).toMatch(
        /does not answer to the host "attacker\.example:\d+".*--allow-host/,
      );
    }
    expect((await lab.json<{ dbLatencyMs: number }>('GET', '/api/config')).body.dbLatencyMs).toBe(0);
    // The lab's own name on another port, or hidden in something else, is not the lab either.
    expect((await send(lab.url, 'GET', '/api/config', { host: `127.0.0.1:${port + 1}` })).status).toBe(421);
    expect((await send(lab.url, 'GET', '/api/config', { host: `127.0.0.1:${port}@attacker.example` })).status).toBe(
      421,
    );
  });

  it('refuses the WebSocket upgrade', async () => {
    const opened = await live(lab.url, { host: `attacker.example:${port}` });
    expect(opened).toEqual({ open: false, status: 421 });
  });

  it('answers its loopback names, and --allow-host names', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `lab.example:${port}`,
      'lab.example',
      'fixed.example:1',
    ]) {
      expect((await send(lab.url, 'GET', '/api/config', { host })).status, host).toBe(200);
    }
    expect((await send(lab.url, 'GET', '/api/config', { host: 'fixed.example:2' })).status).toBe(421);
    const opened = await live(lab.url, { host: `localhost:${port}` });
    expect(opened.open).toBe(true);
    if (opened.open) opened.socket.close();
  });
});

describe('the Origin header (cross-site pages)', () => {
  const evil = { origin: 'http://evil.example' };

  it('refuses a change from another site with 403', async () => {
    const put = await send(
      lab.url,
      'PUT',
      '/api/config',
      { ...JSON_HEADERS, ...evil },
      JSON.stringify({ dbLatencyMs: 7 }),
    );
    expect(put.status).toBe(403);
    expect(put.json().error).toMatch(/a page from "http:\/\/evil\.example" may not change this lab/);
    const imported = await send(
      lab.url,
      'POST',
      '/api/runs/import',
      { 'content-type': 'application/x-ndjson', ...evil },
      trace,
    );
    expect(imported.status).toBe(403);
    const created = await send(lab.url, 'POST', '/subject/users', { ...JSON_HEADERS, ...evil }, newUser());
    expect(created.status).toBe(403);
    const sandboxed = await send(lab.url, 'DELETE', '/api/runs/mb3k2x1a-3f9a1c', { origin: 'null' });
    expect(sandboxed.status).toBe(403);
    expect(sandboxed.json().error).toMatch(/no origin/);
    // A page on the lab's name but another port is another site too.
    expect(
      (await send(lab.url, 'PUT', '/api/config', { ...JSON_HEADERS, origin: `http://127.0.0.1:${port + 1}` }, '{}'))
        .status,
    ).toBe(403);
  });

  it('refuses its WebSocket upgrade', async () => {
    expect(await live(lab.url, evil)).toEqual({ open: false, status: 403 });
  });

  it('lets reads through (the browser keeps their answers from the page)', async () => {
    expect((await send(lab.url, 'GET', '/api/config', evil)).status).toBe(200);
  });

  it("allows no Origin, the lab's own pages and --allow-origin origins", async () => {
    const origins = [
      undefined,
      `http://127.0.0.1:${port}`,
      `http://localhost:${port}`,
      `http://lab.example:${port}`,
      'https://lab.example',
      ALLOWED_ORIGIN,
    ];
    for (const origin of origins) {
      const headers: Record<string, string> = origin ? { origin } : {};
      expect(
        (await send(lab.url, 'PUT', '/api/config', { ...JSON_HEADERS, ...headers }, '{}')).status,
        String(origin),
      ).toBe(200);
      expect(
        (await send(lab.url, 'POST', '/subject/users', { ...JSON_HEADERS, ...headers }, newUser())).status,
        String(origin),
      ).toBe(201);
      expect(
        (await send(lab.url, 'POST', '/api/runs/import', { 'content-type': 'application/x-ndjson', ...headers }, trace))
          .status,
        String(origin),
      ).toBe(201);
      const opened = await live(lab.url, headers);
      expect(opened.open, String(origin)).toBe(true);
      if (opened.open) opened.socket.close();
    }
  });
});

describe('content types', () => {
  it('refuses a body that is not JSON with 415, saying what to send', async () => {
    const plain = { 'content-type': 'text/plain' };
    const config = await send(lab.url, 'PUT', '/api/config', plain, JSON.stringify({ dbLatencyMs: 7 }));
    expect(config.status).toBe(415);
    expect(config.json().error).toBe('unsupported content type "text/plain": send the body as application/json');
    const user = await send(lab.url, 'POST', '/subject/users', plain, newUser());
    expect(user.status).toBe(415);
    const form = await send(
      lab.url,
      'POST',
      '/subject/users',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'username=x',
    );
    expect(form.status).toBe(415);
    const none = await send(lab.url, 'POST', '/api/runs', {}, JSON.stringify({ requests: 1, concurrency: 1 }));
    expect(none.status).toBe(415);
    expect(none.json().error).toMatch(/\(none\)/);
    const imported = await send(lab.url, 'POST', '/api/runs/import', plain, trace);
    expect(imported.status).toBe(415);
    expect(imported.json().error).toBe(
      'unsupported content type "text/plain": send the body as application/x-ndjson or application/jsonl',
    );
    expect(
      (await send(lab.url, 'POST', '/api/runs/import', { 'content-type': 'application/json' }, trace)).status,
    ).toBe(415);
  });

  it('takes JSON with a charset, JSON lines for an import, and requests without a body', async () => {
    expect(
      (await send(lab.url, 'PUT', '/api/config', { 'content-type': 'application/json; charset=utf-8' }, '{}')).status,
    ).toBe(200);
    expect(
      (await send(lab.url, 'POST', '/api/runs/import', { 'content-type': 'application/jsonl' }, trace)).status,
    ).toBe(201);
    expect((await send(lab.url, 'GET', '/subject/users/alice', { 'content-type': 'text/plain' })).status).toBe(200);
  });
});

describe('live sockets', () => {
  it(`admits ${LIVE_MAX_SOCKETS_PER_ADDRESS} from one address, then closes more saying why`, async () => {
    await until(() => lab.live.seatsTaken === 0, 10_000, 'earlier sockets to be closed');
    const held: WebSocket[] = [];
    try {
      for (;;) {
        const opened = await live(lab.url);
        if (!opened.open) {
          expect(held).toHaveLength(LIVE_MAX_SOCKETS_PER_ADDRESS);
          expect(opened).toEqual({
            open: false,
            code: 1008,
            reason: `too many live connections from your address (max ${LIVE_MAX_SOCKETS_PER_ADDRESS}): close another tab of the lab`,
          });
          break;
        }
        held.push(opened.socket);
        expect(held.length).toBeLessThanOrEqual(LIVE_MAX_SOCKETS_PER_ADDRESS);
      }
      // Another address still gets in; a closed socket frees its seat.
      const other = await live(lab.url, { localAddress: '127.0.0.2' });
      expect(other.open).toBe(true);
      if (other.open) other.socket.close();
      held.pop()!.close();
      await until(() => lab.live.seatsTaken === LIVE_MAX_SOCKETS_PER_ADDRESS - 1, 10_000, 'the seat to be freed');
      const again = await live(lab.url);
      expect(again.open).toBe(true);
      if (again.open) held.push(again.socket);
    } finally {
      for (const socket of held) socket.close();
      await until(() => lab.live.seatsTaken === 0, 10_000, 'every seat to be freed');
    }
  });

  it(`admits ${LIVE_MAX_SOCKETS} in all, then closes more saying why`, async () => {
    const held: WebSocket[] = [];
    try {
      let refused: Opened | undefined;
      // Loopback is 127.0.0.0/8 on Linux: each address is another client.
      for (let n = 0; !refused; n++) {
        const opened = await live(lab.url, {
          localAddress: `127.0.1.${1 + Math.floor(n / LIVE_MAX_SOCKETS_PER_ADDRESS)}`,
        });
        if (opened.open) held.push(opened.socket);
        else refused = opened;
        expect(held.length).toBeLessThanOrEqual(LIVE_MAX_SOCKETS);
      }
      expect(held).toHaveLength(LIVE_MAX_SOCKETS);
      expect(refused).toEqual({
        open: false,
        code: 1013,
        reason: `the lab has too many live connections (max ${LIVE_MAX_SOCKETS}): try again later`,
      });
      expect(lab.live.seatsTaken).toBe(LIVE_MAX_SOCKETS);
    } finally {
      for (const socket of held) socket.close();
      await until(() => lab.live.seatsTaken === 0, 10_000, 'every seat to be freed');
    }
  });
});

describe('a classroom on every interface', () => {
  let classLab: RunningLab;
  let lan: string;

  beforeAll(async () => {
    const session = createClassroom();
    classLab = await startLab(database, (await makeDataDir()).dir, { host: '0.0.0.0', classroom: session });
    const classPort = (classLab.app.server.address() as AddressInfo).port;
    session.listening('0.0.0.0', classPort);
    lan = `${publicHost('0.0.0.0')}:${classPort}`;
  });

  afterAll(async () => {
    await classLab?.close();
  });

  it('answers phones on the LAN address: the page, joining and requests through /subject', async () => {
    const phone = { host: lan, origin: `http://${lan}` };
    expect((await send(classLab.url, 'GET', '/join', { host: lan, accept: 'text/html' })).status).toBe(200);
    expect((await send(classLab.url, 'GET', '/api/config', { host: lan })).status).toBe(200);
    const joined = await send(
      classLab.url,
      'POST',
      '/api/classroom/join',
      { ...phone, ...JSON_HEADERS },
      JSON.stringify({ nickname: 'Lan' }),
    );
    expect(joined.status, joined.body).toBe(201);
    const cookie = String(joined.headers['set-cookie']).split(';')[0]!;
    expect(
      (await send(classLab.url, 'POST', '/subject/users', { ...phone, ...JSON_HEADERS, cookie }, newUser())).status,
    ).toBe(201);
    expect((await send(classLab.url, 'GET', '/api/config', { host: `attacker.example:${classPort()}` })).status).toBe(
      421,
    );
  });

  const classPort = () => (classLab.app.server.address() as AddressInfo).port;
});
