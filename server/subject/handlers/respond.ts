/** Response helpers shared by the handlers (plain node:http, no framework). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DbError } from '../data/errors';
import type { User } from '../data/types';

import { HttpError } from '../../../common/httpError';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const wantsJson = (req: IncomingMessage): boolean => (req.headers.accept ?? '').includes('application/json');

/** The post's `self.render('template', first_name=...)`: HTML by default, JSON when asked. */
export function sendGreeting(req: IncomingMessage, res: ServerResponse, user: User): void {
  const greeting = `Hello, ${user.first_name}!`;
  if (wantsJson(req)) return sendJson(res, 200, { username: user.username, first_name: user.first_name, greeting });
  sendHtml(res, 200, `<!doctype html>\n<title>${escapeHtml(user.username)}</title>\n<p>${escapeHtml(greeting)}</p>\n`);
}

/** 204: a long poll that timed out with nothing new (ask again with the same cursor). */
export function noContent(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(204);
  res.end();
}

export function notFound(res: ServerResponse, message: string): void {
  sendJson(res, 404, { error: message });
}

/** Any failure to a status: validation 4xx, duplicate 409, database down 503; `withStack` for edited handlers. */
export function sendError(res: ServerResponse, error: unknown, withStack = false): void {
  if (error instanceof HttpError) return sendJson(res, error.statusCode, { error: error.message });
  if (error instanceof DbError) {
    if (error.kind === 'duplicate') return sendJson(res, 409, { error: 'that username is taken' });
    if (error.kind === 'unavailable' || error.kind === 'timeout') {
      return sendJson(res, 503, { error: `database unavailable: ${error.message}` });
    }
  }
  console.error('subject: unexpected error', error);
  if (withStack && error instanceof Error)
    return sendJson(res, 500, { error: `${error.name}: ${error.message}`, stack: error.stack });
  sendJson(res, 500, { error: 'internal error' });
}
