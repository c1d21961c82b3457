/** The handlers API from the page: list, apply an edit (or learn where it fails to compile), reset. */
import type { HandlerCheck, HandlerCompileError, HandlerFile } from '../../common/handlers';
import { ApiError, errorMessage } from '../api/client';
import { hasLab, labUrl, NO_LAB_MESSAGE } from '../api/labOrigin';

export type ApplyResult = { ok: true; handler: HandlerFile } | { ok: false; problem: HandlerCompileError };

async function send(path: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  // A static site with no lab connected asks nothing (a failed request is a console error).
  if (!hasLab()) throw new ApiError(0, NO_LAB_MESSAGE);
  let response: Response;
  try {
    response = await fetch(labUrl(path), init);
  } catch {
    throw new ApiError(0, 'The lab server cannot be reached.');
  }
  return { status: response.status, text: await response.text() };
}

const fileUrl = (file: string) => `/api/handlers/${encodeURIComponent(file)}`;

export async function listHandlers(): Promise<HandlerFile[]> {
  const { status, text } = await send('/api/handlers');
  if (status !== 200) throw new ApiError(status, errorMessage(text, status));
  return JSON.parse(text) as HandlerFile[];
}

/** 200: the subject serves the edit now. 400 with a line: it does not compile (nothing changed). */
export async function applyHandler(file: string, source: string): Promise<ApplyResult> {
  const { status, text } = await send(fileUrl(file), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  if (status === 200) return { ok: true, handler: JSON.parse(text) as HandlerFile };
  if (status === 400) {
    const body = JSON.parse(text) as Partial<HandlerCompileError>;
    if (typeof body.line === 'number')
      return { ok: false, problem: { error: String(body.error), line: body.line, column: body.column ?? 1 } };
  }
  throw new ApiError(status, errorMessage(text, status));
}

export async function resetHandler(file: string): Promise<HandlerFile> {
  const { status, text } = await send(fileUrl(file), { method: 'DELETE' });
  if (status !== 200) throw new ApiError(status, errorMessage(text, status));
  return JSON.parse(text) as HandlerFile;
}

/** Syntax and type errors of a source, as the handler `file`; nothing is applied. */
export async function checkHandler(file: string, source: string): Promise<HandlerCheck> {
  const { status, text } = await send(`${fileUrl(file)}/check`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  if (status !== 200) throw new ApiError(status, errorMessage(text, status));
  return JSON.parse(text) as HandlerCheck;
}
