/** Runs: start, list, read, export, delete, cancel, import. */
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { asksForLongPoll, longPollRunSchema, runRequestSchema } from '../../../common/config';
import { HttpError } from '../../../common/httpError';
import { parseWith } from '../errors';
import type { Lab } from '../lab';
import { isRunId, newRunId } from '../runIds';
import type { RunStore } from '../runStore';
import { IMPORT_LIMIT_BYTES, parseTraceFile } from '../traceFile';

const idParams = z.object({ id: z.string() });

export async function runRoutes(app: FastifyInstance, { lab, store }: { lab: Lab; store: RunStore }): Promise<void> {
  const runId = (params: unknown): string => {
    const { id } = parseWith(idParams, params, 'path');
    if (!isRunId(id)) throw new HttpError(400, `not a run id: ${JSON.stringify(id.slice(0, 80))} (ids look like mb3k2x1a-3f9a1c)`);
    return id;
  };
  const known = (id: string) => {
    const summary = lab.summaryOf(id);
    if (!summary) throw new HttpError(404, `no run with id ${id}`);
    return summary;
  };

  app.post('/api/runs', async (request, reply) => {
    const plan = asksForLongPoll(request.body)
      ? parseWith(longPollRunSchema, request.body, 'long-poll run')
      : parseWith(runRequestSchema, request.body, 'run');
    const id = lab.startRun(plan);
    return reply.code(202).send({ id });
  });

  app.get('/api/runs', async () => lab.listRuns());

  app.get('/api/runs/:id', async (request) => known(runId(request.params)));

  app.get('/api/runs/:id/trace', async (request, reply) => {
    const id = runId(request.params);
    known(id);
    return reply
      .type('application/x-ndjson')
      .header('content-disposition', `attachment; filename="run-${id}.jsonl"`)
      .send(createReadStream(store.tracePath(id)));
  });

  app.post('/api/runs/:id/cancel', async (request) => {
    const id = runId(request.params);
    known(id);
    return lab.cancelRun(id);
  });

  app.delete('/api/runs/:id', async (request, reply) => {
    await lab.deleteRun(runId(request.params));
    return reply.code(204).send();
  });

  // The import takes the raw file (any content type) up to its own, larger limit.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: IMPORT_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    scope.post('/api/runs/import', { bodyLimit: IMPORT_LIMIT_BYTES }, async (request, reply) => {
      if (typeof request.body !== 'string' || request.body.length === 0) {
        throw new HttpError(400, 'send the trace file (JSON lines) as the request body');
      }
      const id = newRunId();
      const parsed = parseTraceFile(request.body, id);
      if (!parsed.ok) throw new HttpError(400, `invalid trace file: ${parsed.message}`);
      let summary;
      try {
        summary = await store.importTrace(id, parsed.events);
      } catch (error) {
        throw new HttpError(503, `the run could not be saved: ${error instanceof Error ? error.message : String(error)}`);
      }
      return reply.code(201).send(summary);
    });
  });
}
