/**
 * The three calls "Run this experiment" makes to the lab's HTTP API (see common/api.ts).
 * The visualizer shows any run started through the API live, so the player only needs
 * to set the knobs, start the run and read its summary.
 */
import type { RunSummary } from '../../common/api';
import type { LabConfig, LabConfigPatch } from '../../common/config';
import type { ClosedRun } from './model';

export class LabApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'LabApiError';
  }
}

async function call<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new LabApiError('The lab server does not answer. Is `npm start` running?', 0);
  }
  const text = await response.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's error page, say): the status line below says enough.
  }
  if (!response.ok) {
    const record = (data ?? {}) as { message?: unknown; error?: unknown };
    const detail = typeof record.message === 'string' ? record.message : typeof record.error === 'string' ? record.error : '';
    throw new LabApiError(`${method} ${path} answered ${response.status}${detail ? `: ${detail}` : ''}`, response.status);
  }
  return data as T;
}

/** PUT /api/config: applies the knobs, answers with the config now in force. */
export const applyConfig = (patch: LabConfigPatch, signal?: AbortSignal) =>
  call<LabConfig>('PUT', '/api/config', patch, signal);

/** POST /api/runs: starts a closed-loop run, answers with its id. */
export const startRun = async (run: ClosedRun & { route?: string }, signal?: AbortSignal) =>
  (await call<{ id: string }>('POST', '/api/runs', run, signal)).id;

/** GET /api/runs/:id: the run's summary so far. */
export const fetchRun = (id: string, signal?: AbortSignal) =>
  call<RunSummary>('GET', `/api/runs/${encodeURIComponent(id)}`, undefined, signal);
