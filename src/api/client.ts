/**
 * The lab's HTTP API, typed with the shared shapes in common/: the page's one HTTP client
 * (the lab page, the lessons and the classroom all use it). The UI and the tests use the
 * same endpoints.
 */
import type { HealthResponse, RunSummary } from '../../common/api';
import type { LabConfig, LabConfigPatch, RunRequest } from '../../common/config';
import type { TraceEvent } from '../../common/trace';
import { parseTraceLines } from '../trace/store';
import { hasLab, labUrl, NO_LAB_MESSAGE } from './labOrigin';

/** An API answer that was not 2xx; `message` is the server's own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a request says when nothing answers at all (status 0). */
export const UNREACHABLE = 'The lab server cannot be reached.';

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  // A static site with no lab connected asks nothing: a failed request is a console error.
  if (!hasLab()) throw new ApiError(0, NO_LAB_MESSAGE);
  let response: Response;
  try {
    response = await fetch(labUrl(path), init);
  } catch (error) {
    // A cancelled request (a lesson step left mid-run) is not "unreachable".
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, UNREACHABLE);
  }
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, errorMessage(text, response.status));
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Pulls the human message out of an error body ({ message } or { error }), falling back to the text. */
export function errorMessage(body: string, status: number): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; error?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // not JSON: use the text itself
  }
  return body.trim() || `HTTP ${status}`;
}

const json = (method: string, body: unknown, signal?: AbortSignal): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
  signal,
});

export const api = {
  health: () => request<HealthResponse>('/api/health'),
  getConfig: () => request<LabConfig>('/api/config'),
  putConfig: (patch: LabConfigPatch, signal?: AbortSignal) =>
    request<LabConfig>('/api/config', json('PUT', patch, signal)),
  startRun: (plan: RunRequest, signal?: AbortSignal) =>
    request<{ id: string }>('/api/runs', json('POST', plan, signal)),
  listRuns: () => request<RunSummary[]>('/api/runs'),
  getRun: (id: string, signal?: AbortSignal) => request<RunSummary>(`/api/runs/${encodeURIComponent(id)}`, { signal }),
  deleteRun: (id: string) => request<unknown>(`/api/runs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  async getTrace(id: string): Promise<TraceEvent[]> {
    if (!hasLab()) throw new ApiError(0, NO_LAB_MESSAGE);
    const response = await fetch(labUrl(`/api/runs/${encodeURIComponent(id)}/trace`));
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, errorMessage(text, response.status));
    return parseTraceLines(text);
  },
  importTrace: (text: string) =>
    request<RunSummary>('/api/runs/import', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: text,
    }),
  /** One request by hand, through the lab's forwarder (traced like any other). */
  async sendOne(path = '/subject/users/alice'): Promise<number> {
    // no-store: the browser would otherwise queue identical GETs behind its cache lock.
    if (!hasLab()) throw new ApiError(0, NO_LAB_MESSAGE);
    const response = await fetch(labUrl(path), { headers: { accept: 'application/json' }, cache: 'no-store' });
    await response.arrayBuffer();
    return response.status;
  },
};

export type Api = typeof api;

export { liveUrl } from './labOrigin';
