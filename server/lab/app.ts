/**
 * Builds the lab server without listening (tests use `inject` or port 0; server/cli.ts
 * listens). It owns the lab's parts: run store, live stream, the subject supervisor it
 * creates, a MongoClient for health checks. `app.close()` cancels a running run, stops the
 * subject's processes and closes everything else.
 */
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { MongoClient } from 'mongodb';
import type { DatabaseInfo, TornadoRuntimeInfo } from '../../common/api';
import { DEFAULT_CONFIG, type LabConfig } from '../../common/config';
import type { SubjectSupervisor, SubjectSupervisorOptions } from '../subject/supervisorContract';
import { tornadoRuntime } from '../subject-tornado/python';
import { classroomPlugin } from './classroom/plugin';
import type { ClassroomSession } from './classroom/session';
import { HttpError } from '../../common/httpError';
import { BODY_LIMIT_BYTES, installErrorHandling } from './errors';
import { HandlerEdits } from './handlerEdits';
import { Lab } from './lab';
import { LiveHub, type LiveOptions } from './live';
import { controlRoutes } from './routes/control';
import { forwardRoutes } from './routes/forward';
import { handlerRoutes } from './routes/handlers';
import { LIVE_MAX_MESSAGE_BYTES, liveRoutes } from './routes/live';
import { runRoutes } from './routes/runs';
import { RunStore } from './runStore';
import { allowOrigins } from './cors';
import { guardRequests } from './guard';
import { labIndexHtml } from './ui';

export interface LabServerOptions {
  /** Where runs are stored (`<dataDir>/runs`). */
  dataDir: string;
  database: { uri: string; dbName: string; info: DatabaseInfo };
  /** Usually `createSubjectSupervisor` from server/subject/supervisor.ts. */
  createSupervisor: (options: SubjectSupervisorOptions) => SubjectSupervisor;
  config?: LabConfig;
  /** A built UI folder to serve at /; when absent, / shows `uiProblem` (or nothing, in --dev). */
  uiDir?: string;
  uiProblem?: string;
  live?: LiveOptions;
  log?: (line: string) => void;
  /** Fastify's request logger (off by default: the lab's own lines are enough). */
  logger?: boolean;
  /** Whether the Tornado runtime is available (default: probe this machine once). */
  tornado?: () => Promise<TornadoRuntimeInfo>;
  /** Origins of static copies of the site allowed to call this lab (--allow-origin). */
  allowOrigins?: string[];
  /** Other names this lab answers to (--allow-host): `name` (any port) or `name:port`; see guard.ts. */
  allowHosts?: string[];
  /** Classroom mode: presenter-only controls, students' requests rate-limited. */
  classroom?: ClassroomSession;
  /** --allow-edit: handler editing even when the lab listens beyond loopback. */
  allowEdit?: boolean;
}

export interface LabServer {
  app: FastifyInstance;
  lab: Lab;
  store: RunStore;
  live: LiveHub;
}

export async function buildApp(options: LabServerOptions): Promise<LabServer> {
  const log = options.log ?? (() => {});
  const store = new RunStore(options.dataDir, log);
  await store.open();
  const live = new LiveHub(options.live);
  const findTornado = options.tornado ?? tornadoRuntime;
  const edits = new HandlerEdits(options.dataDir, log, async () => {
    const found = await findTornado();
    return found.available ? { python: found.python } : { reason: found.reason };
  });
  await edits.open();
  const client = new MongoClient(options.database.uri, { serverSelectionTimeoutMS: 2000, maxPoolSize: 2 });
  const lab = new Lab({
    store,
    live,
    database: { info: options.database.info, client },
    config: options.config ?? DEFAULT_CONFIG,
    log,
    tornado: findTornado,
    handlerVersions: (runtime) => edits.versions(runtime),
  });
  const supervisor = options.createSupervisor({
    mongoUri: options.database.uri,
    dbName: options.database.dbName,
    onEvents: lab.onSubjectEvents,
    onState: lab.onSubjectState,
  });
  lab.attach(supervisor);
  await supervisor.setHandlers?.(edits.overrides());

  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true });
  installErrorHandling(app);
  await app.register(fastifyWebsocket, { options: { maxPayload: LIVE_MAX_MESSAGE_BYTES } });
  // Before every other hook but the WebSocket plugin's (which marks an upgrade, so that a
  // refused one has its socket closed): a page that is not the lab's is refused first.
  guardRequests(app, {
    allowHosts: options.allowHosts,
    allowOrigins: options.allowOrigins,
    classroom: options.classroom,
  });
  allowOrigins(app, options.allowOrigins ?? []);
  if (options.classroom) await app.register(classroomPlugin, { session: options.classroom });
  await app.register(controlRoutes, { lab });
  await app.register(runRoutes, { lab, store });
  await app.register(liveRoutes, { lab, live });
  await app.register(handlerRoutes, {
    lab,
    edits,
    supervisor,
    allowEdit: options.allowEdit ?? false,
    tornado: findTornado,
  });
  await app.register(forwardRoutes, { lab, subjectUrl: () => supervisor.url() });

  if (options.uiDir) {
    // wildcard: files are looked up per request, so a rebuilt dist/ (new hashed assets) is served
    // without a restart; a miss falls through to the not-found handler below (SPA routes).
    // index.html is never served as a file: the not-found handler sends it without the static mark.
    await app.register(fastifyStatic, {
      root: path.resolve(options.uiDir),
      wildcard: true,
      index: false,
      allowedPath: (pathName) => pathName !== '/index.html',
    });
    const uiDir = options.uiDir;
    app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(await labIndexHtml(uiDir)));
  }
  app.setNotFoundHandler(async (request, reply) => {
    const url = request.url.split('?')[0] ?? '';
    const wantsPage =
      request.method === 'GET' &&
      !url.startsWith('/api/') &&
      (url === '/' || (request.headers.accept ?? '').includes('text/html'));
    // Client-side routes (e.g. /lessons/2) get the app's index.html.
    if (wantsPage && options.uiDir)
      return reply.type('text/html; charset=utf-8').send(await labIndexHtml(options.uiDir));
    if (wantsPage) {
      const why = options.uiProblem ?? 'no UI is being served (dev mode: open the Vite dev server instead)';
      return reply
        .type('text/html')
        .send(
          `<!doctype html><title>Event Loop Lab</title><h1>Event Loop Lab</h1><p>${escapeHtml(why)}</p><p>The API is at <a href="/api/health">/api/health</a>.</p>`,
        );
    }
    throw new HttpError(404, `no such endpoint: ${request.method} ${url}`);
  });

  app.addHook('onClose', async () => {
    live.close();
    await lab.close();
    await client.close().catch(() => undefined);
  });

  try {
    await lab.start();
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, lab, store, live };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
