/**
 * A real lab in classroom mode for a test: the embedded database in its own process, the
 * real subject, the lab on 127.0.0.1 port 0, plus small HTTP helpers that speak as the
 * presenter, as a student (their cookie) or as a stranger.
 */
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import type { StartedDatabase } from '../../../server/db/resolve';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { buildApp, type LabServer } from '../../../server/lab/app';
import { PRESENTER_HEADER } from '../../../server/lab/classroom/presenterToken';
import { JOINS_PER_MINUTE_RANGE } from '../../../server/lab/classroom/joinLimit';
import { createClassroom, type ClassroomOptions, type ClassroomSession } from '../../../server/lab/classroom/session';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { createSubjectSupervisor } from '../../../server/subject/supervisor';

export interface ClassroomLab extends LabServer {
  url: string;
  session: ClassroomSession;
  /**
   * Sends a request; `as` picks the caller: 'presenter', a student cookie, or nobody.
   * `from` is the client's own address: any of 127.0.0.0/8, so one test can be several
   * devices (the lab sees each as its own client address, as on a LAN).
   */
  call(method: string, route: string, options?: CallOptions): Promise<Answer>;
  join(nickname: unknown, from?: string): Promise<{ answer: Answer; cookie?: string }>;
  close(): Promise<void>;
}

export interface CallOptions {
  as?: 'presenter' | string;
  body?: unknown;
  headers?: Record<string, string>;
  from?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json<T = { error?: string }>(): T;
}

export async function startClassroomLab(
  database: StartedDatabase,
  dataDir: string,
  options: ClassroomOptions & { config?: Partial<LabConfig> } = {},
): Promise<ClassroomLab> {
  // Every student of a test comes from 127.0.0.1 unless the test says `from`: a real class
  // has one address a phone, so the per-address join limit is lifted here unless asked for.
  const session = createClassroom({
    ...options,
    limits: { joinsPerMinute: JOINS_PER_MINUTE_RANGE.max, ...options.limits },
  });
  const server = await buildApp({
    dataDir,
    database: { uri: database.uri, dbName: LAB_DB_NAME, info: database.info },
    createSupervisor: createSubjectSupervisor,
    config: { ...DEFAULT_CONFIG, ...options.config },
    classroom: session,
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.app.server.address() as AddressInfo).port;
  session.listening('127.0.0.1', port);
  const url = `http://127.0.0.1:${port}`;

  const devices = new Map<string, Agent>();
  const device = (from: string) => {
    let agent = devices.get(from);
    if (!agent) devices.set(from, (agent = new Agent({ localAddress: from })));
    return agent;
  };
  const call: ClassroomLab['call'] = async (method, route, { as, body, headers = {}, from } = {}) => {
    const all: Record<string, string> = { ...headers };
    if (as === 'presenter') all[PRESENTER_HEADER] = session.presenterToken;
    else if (as) all.cookie = as;
    if (body !== undefined && !all['content-type']) all['content-type'] = 'application/json';
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    if (from) {
      const res = await request(`${url}${route}`, {
        method: method as 'GET',
        headers: all,
        body: payload,
        dispatcher: device(from),
      });
      const text = await res.body.text();
      const answerHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value])
          answerHeaders.append(name, one);
      }
      return { status: res.statusCode, headers: answerHeaders, text, json: <T>() => JSON.parse(text) as T };
    }
    const res = await fetch(`${url}${route}`, {
      method,
      headers: all,
      body: payload,
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };
  const join: ClassroomLab['join'] = async (nickname, from) => {
    const answer = await call('POST', '/api/classroom/join', { body: { nickname }, from });
    const setCookie = answer.headers.get('set-cookie');
    return { answer, cookie: setCookie ? setCookie.split(';')[0] : undefined };
  };
  const close = async () => {
    await server.app.close();
    await Promise.all([...devices.values()].map((agent) => agent.close()));
  };
  return { ...server, url, session, call, join, close };
}
