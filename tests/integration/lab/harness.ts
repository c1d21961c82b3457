/**
 * Starts the real lab for a test: the embedded database (a real wire server in its own
 * process), the seed, the real subject supervisor and the lab server on port 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import type { HealthResponse, LiveMessage, RunSummary } from '../../../common/api';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import { startDatabase, type StartedDatabase } from '../../../server/db/resolve';
import { LAB_DB_NAME, seedUsersAt } from '../../../server/db/seed';
import { buildApp, type LabServer, type LabServerOptions } from '../../../server/lab/app';
import type { LiveOptions } from '../../../server/lab/live';
import { createSubjectSupervisor, type InspectableSubjectSupervisor } from '../../../server/subject/supervisor';
import type { SubjectSupervisorOptions } from '../../../server/subject/supervisorContract';

export async function startSeededDatabase(): Promise<StartedDatabase> {
  const database = await startDatabase({ offline: true, log: () => {} });
  // The embedded server seeds the lab's users itself (seedLab.ts), as the lab starts it.
  await (database.seeded ?? seedUsersAt(database.uri));
  return database;
}

export async function makeDataDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'lab-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface RunningLab extends LabServer {
  url: string;
  /** The real supervisor, for the pids of the subject and proxy processes. */
  supervisor: InspectableSubjectSupervisor;
  json<T = unknown>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  waitForRun(id: string, timeoutMs?: number): Promise<RunSummary>;
  close(): Promise<void>;
}

export async function startLab(
  database: StartedDatabase,
  dataDir: string,
  options: {
    config?: Partial<LabConfig>;
    live?: LiveOptions;
    tornado?: LabServerOptions['tornado'];
    host?: string;
    allowEdit?: boolean;
    allowHosts?: string[];
    allowOrigins?: string[];
    classroom?: LabServerOptions['classroom'];
    /** Shorter limits for edited handlers, for the tests that wait them out (the defaults are 10 s each). */
    editedLimits?: SubjectSupervisorOptions['editedLimits'];
  } = {},
): Promise<RunningLab> {
  let supervisor: InspectableSubjectSupervisor | undefined;
  const server = await buildApp({
    dataDir,
    database: { uri: database.uri, dbName: LAB_DB_NAME, info: database.info },
    createSupervisor: (supervisorOptions) =>
      (supervisor = createSubjectSupervisor({ ...supervisorOptions, editedLimits: options.editedLimits })),
    config: { ...DEFAULT_CONFIG, ...options.config },
    live: options.live,
    tornado: options.tornado,
    allowEdit: options.allowEdit,
    allowHosts: options.allowHosts,
    allowOrigins: options.allowOrigins,
    classroom: options.classroom,
  });
  await server.app.listen({ port: 0, host: options.host ?? '127.0.0.1' });
  const url = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  const json = async <T>(method: string, route: string, body?: unknown) => {
    const res = await fetch(`${url}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const waitForRun = async (id: string, timeoutMs = 60_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await json<RunSummary>('GET', `/api/runs/${id}`);
      if (body.status !== 'running') return body;
      if (Date.now() > deadline) throw new Error(`run ${id} still running after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { ...server, url, json, waitForRun, supervisor: supervisor!, close: () => server.app.close() };
}

/** A WebSocket client that keeps every message it receives. */
export async function openLive(
  url: string,
): Promise<{ socket: WebSocket; messages: LiveMessage[]; closed: Promise<number> }> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/live`);
  const messages: LiveMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as LiveMessage));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, messages, closed };
}

export async function until<T>(probe: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Asks the lab's /api/health until `accept` says yes; a timeout names `what` and the last health. */
export async function healthUntil(
  lab: Pick<RunningLab, 'json'>,
  accept: (health: HealthResponse) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<HealthResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await lab.json<HealthResponse>('GET', '/api/health');
    if (accept(body)) return body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last health: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
