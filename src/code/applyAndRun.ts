/**
 * "Apply and run": the subject serves the edit, the lab switches to the mode that runs this
 * handler (an edited non-blocking getUser does nothing in blocking mode), and a batch fires.
 */
import type { Mode, RouteName, RunRequest } from '../../common/config';
import { handlerFileOf } from '../../common/handlers';
import { api } from '../api/client';
import type { LabSystem } from '../lab/system';
import { applyHandler, type ApplyResult } from './handlersApi';

/**
 * `getUser.nonblocking` (or the Tornado subject's `get_user_nonblocking.py`) → the route and
 * mode that run it (the callback style runs on the async driver).
 */
export function routeAndModeOf(handler: string): { route: RouteName; mode: Mode } {
  const python = /^([a-z_]+)_(blocking|nonblocking|callback)\.py$/.exec(handler);
  const name = python ? `${python[1]!.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}.${python[2]!}` : handler;
  const [route = 'getUser', style] = name.split('.');
  if (style === 'callback') return { route: `${route}Callback` as RouteName, mode: 'nonblocking' };
  return { route: route as RouteName, mode: style === 'blocking' ? 'blocking' : 'nonblocking' };
}

export const APPLY_RUN_PLAN = { requests: 10, concurrency: 10 } as const;

export async function applyAndRun(lab: LabSystem, handler: string, source: string): Promise<ApplyResult> {
  const result = await applyHandler(handlerFileOf(handler), source);
  if (!result.ok) return result;
  const { route, mode } = routeAndModeOf(handler);
  if (lab.config.getSnapshot().context.config.mode !== mode) {
    const config = await api.putConfig({ mode });
    lab.config.send({ type: 'config.received', config });
  }
  const plan: RunRequest = { ...APPLY_RUN_PLAN, route };
  lab.run.send({ type: 'run.fire', plan });
  return result;
}
