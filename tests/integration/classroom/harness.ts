/**
 * A real lab in classroom mode for a test: the embedded database in its own process, the
 * real subject, the lab on 127.0.0.1 port 0, plus small HTTP helpers that speak as the
 * presenter, as a student (their cookie) or as a stranger.
 */
import type { AddressInfo } from 'node:net';
import type { StartedDatabase } from '../../../server/db/resolve';
import { LAB_DB_NAME } from '../../../server/db/seed';
import { buildApp, type LabServer } from '../../../server/lab/app';
import { PRESENTER_HEADER } from '../../../server/lab/classroom/presenterToken';
import { createClassroom, type ClassroomOptions, type ClassroomSession } from '../../../server/lab/classroom/session';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { createSubjectSupervisor } from '../../../server/subject/supervisor';

export interface ClassroomLab extends LabServer {
  url: string;
  session: ClassroomSession;
  /** Sends a request; `as` picks the caller: 'presenter', a student cookie, or nobody. */
  call(method: string, route: string, options?: { as?: 'presenter' | string; body?: unknown; headers?: Record<string, string> }): Promise<Answer>;
  join(nickname: unknown): Promise<{ answer: Answer; cookie?: string }>;
  close(): Promise<void>;
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
  const session = createClassroom(options);
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

  const call: ClassroomLab['call'] = async (method, route, { as, body, headers = {} } = {}) => {
    const all: Record<string, string> = { ...headers };
    if (as === 'presenter') all[PRESENTER_HEADER] = session.presenterToken;
    else if (as) all.cookie = as;
    if (body !== undefined && !all['content-type']) all['content-type'] = 'application/json';
    const res = await fetch(`${url}${route}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: <T>() => JSON.parse(text) as T };
  };
  const join: ClassroomLab['join'] = async (nickname) => {
    const answer = await call('POST', '/api/classroom/join', { body: { nickname } });
    const setCookie = answer.headers.get('set-cookie');
    return { answer, cookie: setCookie ? setCookie.split(';')[0] : undefined };
  };
  return { ...server, url, session, call, join, close: () => server.app.close() };
}
