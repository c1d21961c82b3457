/** Runs: start, list, read, export, delete, cancel, import. */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { asksForLongPoll, longPollRunSchema, runRequestSchema } from '../../../common/config';
import { HttpError } from '../../../common/httpError';
import { parseWith } from '../errors';
import type { Lab } from '../lab';
import { isRunId, newRunId } from '../runIds';
import type { RunStore } from '../runStore';
import { IMPORT_LIMIT_BYTES } from '../traceFile';
import { importTraceStream, tooLarge } from '../traceImport';

const idParams = z.object({ id: z.string() });

export async function runRoutes(app: FastifyInstance, { lab, store }: { lab: Lab; store: RunStore }): Promise<void> {
  const runId = (params: unknown): string => {
    const { id } = parseWith(idParams, params, 'path');
    if (!isRunId(id))
      throw new HttpError(400, `not a run id: ${JSON.stringify(id.slice(0, 80))} (ids look like mb3k2x1a-3f9a1c)`);
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

  // The import takes the raw file (JSON lines: guard.ts checks the type) as a stream, up to its own, larger
  // limit: it is checked line by line as it arrives (server/lab/traceImport.ts), one import
  // at a time, so neither a large file nor several at once can stall the lab.
  let importing = false;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post('/api/runs/import', { bodyLimit: IMPORT_LIMIT_BYTES }, async (request, reply) => {
      const body = request.body as Readable | undefined;
      const length = Number(request.headers['content-length']);
      if (!body || length === 0) throw new HttpError(400, 'send the trace file (JSON lines) as the request body');
      if (length > IMPORT_LIMIT_BYTES) {
        // Refused before reading: close the connection rather than read the rest.
        void reply.header('connection', 'close');
        throw tooLarge();
      }
      if (importing) {
        void reply.header('retry-after', String(IMPORT_RETRY_AFTER_SEC)).header('connection', 'close');
        throw new HttpError(
          429,
          'another trace file is being imported: the lab imports one at a time; try again in a few seconds',
        );
      }
      importing = true;
      try {
        const summary = await importTraceStream(body, newRunId(), store);
        return await reply.code(201).send(summary);
      } catch (error) {
        // The rest of a refused file is not read: close the connection instead.
        if (!body.readableEnded) void reply.header('connection', 'close');
        throw error;
      } finally {
        importing = false;
      }
    });
  });
}

/** What a refused concurrent import is told to wait, s. */
const IMPORT_RETRY_AFTER_SEC = 5;
