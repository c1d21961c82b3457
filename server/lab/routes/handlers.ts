/**
 * GET /api/handlers, PUT /api/handlers/:file { source }, DELETE /api/handlers/:file, and
 * POST /api/handlers/:file/check { source }: syntax and type errors, nothing applied.
 * The files are the current runtime's: the Node subject's TypeScript handlers, or the Tornado
 * subject's Python ones (checked for syntax by the lab's Python; Python has no type check here).
 *
 * Edited code runs in the subject process with the lab's privileges, like a dev server's:
 * editing is allowed only while the lab listens on loopback alone, or when it was started
 * with --allow-edit. A web page the learner visits cannot reach them: another site is refused
 * by its Origin and a rebound name by its Host, for every route alike (guard.ts). (In
 * classroom mode students never reach these routes: the classroom's default-deny access
 * hook answers them 403.)
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { TornadoRuntimeInfo } from '../../../common/api';
import { z } from 'zod';
import type { HandlerCheck, HandlerCompileError } from '../../../common/handlers';
import type { SubjectSupervisor } from '../../subject/supervisorContract';
import { checkPythonSyntax } from '../../subject-tornado/handlerFiles';
import { MAX_SOURCE_BYTES } from '../../subject/handlers/compile';
import { HttpError } from '../../../common/httpError';
import { parseWith } from '../errors';
import { type HandlerEdits, runtimeOfFile } from '../handlerEdits';
import type { Lab } from '../lab';
import { HandlerTypeChecker } from '../typecheck/typeCheck';

export interface HandlerRouteOptions {
  lab: Lab;
  edits: HandlerEdits;
  supervisor: SubjectSupervisor;
  /** --allow-edit: editing even when the lab listens beyond loopback. */
  allowEdit: boolean;
  /** The Python the lab found (it checks a Tornado handler's syntax). */
  tornado: () => Promise<TornadoRuntimeInfo>;
}

const putBody = z
  .object({ source: z.string().max(MAX_SOURCE_BYTES, `source is longer than ${MAX_SOURCE_BYTES} characters`) })
  .strict();

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/;

export async function handlerRoutes(
  app: FastifyInstance,
  { lab, edits, supervisor, allowEdit, tornado }: HandlerRouteOptions,
): Promise<void> {
  let changing = false;

  const knownFile = (file: string): string => {
    if (!runtimeOfFile(file))
      throw new HttpError(
        404,
        `no handler file named ${JSON.stringify(file.slice(0, 80))}: GET /api/handlers lists them`,
      );
    return file;
  };

  /** Refuses unless editing is allowed here (loopback, or --allow-edit) and `file` is a handler of the runtime the lab runs. */
  const mayEdit = (file: string): void => {
    // Not listening (tests with inject) reaches no one but this process.
    const address = app.server.address() as AddressInfo | null;
    if (!allowEdit && address && !LOOPBACK.test(address.address)) {
      throw new HttpError(
        403,
        `editing handlers runs your code on this machine: allowed only when the lab listens on loopback (it listens on ${address.address}); start it with --allow-edit to allow it anyway`,
      );
    }
    const runtime = lab.currentConfig().runtime;
    const owner = runtimeOfFile(file);
    if (owner !== runtime)
      throw new HttpError(
        409,
        `${file} is a handler of the ${owner} runtime and the lab runs ${runtime}: switch the runtime to ${owner} first`,
      );
  };

  /** Refuses unless editing is allowed and nothing else is changing the subject. */
  const beginChange = (file: string): (() => void) => {
    mayEdit(file);
    if (!supervisor.setHandlers) throw new HttpError(501, 'this subject cannot load edited handlers');
    const running = lab.runningId();
    if (running) throw new HttpError(409, `run ${running} is in progress; change handlers when it has finished`);
    if (changing) throw new HttpError(409, 'another handler change is being applied; try again in a moment');
    changing = true;
    return () => {
      changing = false;
    };
  };

  /** Serves `next`; if the subject cannot load it, serves the previous handlers again. */
  const serve = async (next: Record<string, string>): Promise<string | undefined> => {
    try {
      await supervisor.setHandlers!(next);
      return undefined;
    } catch (error) {
      await supervisor.setHandlers!(edits.overrides()).catch(() => undefined);
      return error instanceof Error ? error.message : String(error);
    }
  };

  app.get('/api/handlers', async () => edits.list(lab.currentConfig().runtime));

  /** A Python handler: the syntax error the lab's Python finds, if any; there is no type check. */
  const checkPython = async (file: string, source: string): Promise<HandlerCheck> => {
    const runtime = await tornado();
    if (!runtime.available)
      return { checked: false, reason: `no Python to check it with: ${runtime.reason}`, problems: [] };
    const verdict = await checkPythonSyntax(runtime.python, file, source).catch((error: unknown) => {
      throw new HttpError(503, error instanceof Error ? error.message : String(error));
    });
    if (verdict.ok) return { checked: true, problems: [] };
    const { error: message, line, column } = verdict;
    return {
      checked: true,
      problems: [{ kind: 'syntax', message, code: 0, line, column, endLine: line, endColumn: column + 1 }],
    };
  };

  // Syntax and type errors before anything is applied (the editor asks as the learner types).
  const checker = new HandlerTypeChecker();
  app.addHook('onClose', async () => checker.close());
  app.post<{ Params: { file: string } }>('/api/handlers/:file/check', async (request): Promise<HandlerCheck> => {
    const file = knownFile(request.params.file);
    const { source } = parseWith(putBody, request.body ?? {}, 'body');
    mayEdit(file);
    if (runtimeOfFile(file) === 'tornado') return checkPython(file, source);
    const result = await checker.check(file, source);
    return result.checked
      ? { checked: true, problems: result.problems }
      : { checked: false, reason: result.reason, problems: [] };
  });

  app.put<{ Params: { file: string } }>('/api/handlers/:file', async (request, reply) => {
    const file = knownFile(request.params.file);
    const { source } = parseWith(putBody, request.body ?? {}, 'body');
    const done = beginChange(file);
    try {
      const staged = await edits.stage(file, source).catch((error: unknown) => {
        throw new HttpError(503, error instanceof Error ? error.message : String(error));
      });
      if (!staged.ok)
        return reply
          .code(400)
          .send({ error: staged.error, line: staged.line, column: staged.column } satisfies HandlerCompileError);
      const failure = await serve(edits.overrides({ file, modulePath: staged.modulePath }));
      if (failure)
        return reply.code(400).send({
          error: `the subject could not load ${file}: ${failure}`,
          line: 1,
          column: 1,
        } satisfies HandlerCompileError);
      await edits.commit(file, source, staged.modulePath);
      return edits.get(file);
    } finally {
      done();
    }
  });

  app.delete<{ Params: { file: string } }>('/api/handlers/:file', async (request) => {
    const file = knownFile(request.params.file);
    const done = beginChange(file);
    try {
      if (!edits.get(file).edited) return edits.get(file);
      const failure = await serve(edits.overrides({ file, modulePath: undefined }));
      if (failure) throw new HttpError(503, `the subject could not restart with the original ${file}: ${failure}`);
      await edits.reset(file);
      return edits.get(file);
    } finally {
      done();
    }
  });
}
