/**
 * Starting the Tornado subject: the lab's side of server/subject-tornado/main.py. It is
 * spawned with the same spec and talked to over the same kind of IPC channel as the Node
 * subject (JSON mode, which Python can speak), so the supervisor handles it unchanged.
 * With workers > 1, a small Node balancer (balancer.ts) runs in front of the Python processes.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LONG_POLL_BOUNDS, LONG_POLL_DEFAULTS } from '../../common/knobs';
import { spawnNode, spawnProgram } from '../process/children';
import type { SubjectCommand, SubjectReport, SubjectSpec } from '../subject/messages';
import { SPEC_ENV, WORKER_ENV } from '../subject/messages';
import { type ChildHandle, connectChild } from '../subject/processes';
import { batchLayouts } from '../subject/runtime/traceBatch';
import { tornadoRuntime } from './python';
import { EDITED_DEADLINE_MS } from '../subject/handlers/guard';

const MAIN_PY = fileURLToPath(new URL('./main.py', import.meta.url));
const BALANCER_ENTRY = fileURLToPath(new URL('./balancer.ts', import.meta.url));
/** The interpreter the balancer starts its workers with (found once, by the lab). */
export const PYTHON_ENV = 'LAB_TORNADO_PYTHON';

/**
 * One Tornado process. Its spec carries the trace's wire layouts, so it writes batches exactly
 * as the Node subject does, the long poll's bounds, so GET /updates refuses what the Node subject does,
 * and how long an edited handler has to answer (the Node subject's guard.ts).
 */
export function spawnTornadoWorker(python: string, spec: SubjectSpec, worker: number): ChildProcess {
  return spawnProgram(python, ['-u', MAIN_PY], {
    env: {
      [SPEC_ENV]: JSON.stringify({
        ...spec,
        layouts: batchLayouts(),
        longPoll: { timeoutMs: LONG_POLL_BOUNDS.timeoutMs, defaultTimeoutMs: LONG_POLL_DEFAULTS.timeoutMs },
        editedDeadlineMs: spec.editedDeadlineMs ?? EDITED_DEADLINE_MS,
      }),
      [WORKER_ENV]: String(worker),
      PYTHONDONTWRITEBYTECODE: '1',
    },
  });
}

export async function startTornadoSubject(spec: SubjectSpec): Promise<ChildHandle<SubjectCommand, SubjectReport>> {
  const runtime = await tornadoRuntime();
  if (!runtime.available)
    throw new Error(`the Tornado runtime is unavailable (${runtime.reason}); install it with: ${runtime.install}`);
  if (spec.config.workers > 1) {
    const balancer = spawnNode(BALANCER_ENTRY, [], {
      env: { [SPEC_ENV]: JSON.stringify(spec), [PYTHON_ENV]: runtime.python },
    });
    return connectChild(balancer, 'subject', 60_000);
  }
  return connectChild(spawnTornadoWorker(runtime.python, spec, 0), 'subject', 30_000);
}
