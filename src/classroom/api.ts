/**
 * The classroom endpoints (server/lab/classroom/routes.ts) for the student page and the
 * presenter's panels. A student's request goes through /subject/* like anyone's; the lab
 * tags it with their nickname from their cookie.
 */
import type { StudentSeat, StudentView } from '../../common/api';
import { MODES, type Mode } from '../../common/knobs';
import { HEADER_MODE } from '../../common/traceBasics';
import { ApiError, errorMessage } from '../api/client';

export type Role = 'presenter' | 'student' | 'guest';

export interface ClassroomInfo {
  role: Role;
  joinUrl: string | null;
  students: number;
  limits: { ratePerSec: number; burst: number; maxInFlightPerStudent: number; maxStudents: number };
  student?: StudentView;
}

/** One request as the phone saw it. */
export interface SendResult {
  status: number;
  latencyMs: number;
  /** For a 429: how long to wait, ms. */
  retryAfterMs?: number;
  message?: string;
  /** The mode the subject served it in (its answer says so). */
  mode?: Mode;
}

const asMode = (value: unknown): Mode | undefined =>
  (MODES as readonly unknown[]).includes(value) ? (value as Mode) : undefined;

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { credentials: 'same-origin', ...init });
  } catch {
    throw new ApiError(0, 'The lab cannot be reached: is the phone on the same network as the presenter?');
  }
  const text = await response.text();
  if (!response.ok) throw new ApiError(response.status, errorMessage(text, response.status));
  return (text ? JSON.parse(text) : undefined) as T;
}

export const classroomApi = {
  info: () => call<ClassroomInfo>('/api/classroom'),
  join: (nickname: string) =>
    call<{ role: 'student'; student: StudentView }>('/api/classroom/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname }),
    }),
  /** The presenter's list of seats (presenter-only on the server). */
  students: () => call<{ students: StudentSeat[] }>('/api/classroom/students'),
  /** The presenter removes a student; their phone is told so on its next request. */
  removeStudent: (id: string) => call<void>(`/api/classroom/students/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  /**
   * The lab's current mode (undefined if it cannot be read just now), or, if this phone's
   * seat was taken away (the lab answers 401), why.
   */
  async status(): Promise<{ mode?: Mode; gone?: string }> {
    try {
      const response = await fetch('/api/config', { cache: 'no-store', credentials: 'same-origin' });
      if (response.status === 401) return { gone: errorMessage(await response.text(), 401) };
      const mode = response.ok ? asMode(((await response.json()) as { mode?: unknown }).mode) : undefined;
      return mode ? { mode } : {};
    } catch {
      return {};
    }
  },
  /**
   * One request to the subject, timed from tap to last byte. Never throws. `id` makes each
   * URL unique and `no-store` keeps the HTTP cache out: otherwise a browser sends identical
   * GETs one after another (behind its cache lock) and the phone shows blocking in both modes.
   */
  async send(id: string, path = '/subject/users/alice'): Promise<SendResult> {
    const t0 = performance.now();
    try {
      const response = await fetch(`${path}?r=${encodeURIComponent(id)}`, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        cache: 'no-store',
      });
      const text = await response.text();
      const latencyMs = performance.now() - t0;
      const mode = asMode(response.headers.get(HEADER_MODE));
      if (response.ok) return { status: response.status, latencyMs, ...(mode ? { mode } : {}) };
      const retry = Number(response.headers.get('retry-after'));
      return {
        status: response.status,
        latencyMs,
        message: errorMessage(text, response.status),
        ...(retry > 0 ? { retryAfterMs: retry * 1000 } : {}),
      };
    } catch {
      return { status: 0, latencyMs: performance.now() - t0, message: 'no answer: the lab cannot be reached' };
    }
  },
};
