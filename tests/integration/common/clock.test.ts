/**
 * The lab's one clock across real processes: a process started with the lab's anchor stamps
 * on the lab's clock, not on its own start-time wall clock. A laptop that slept between the
 * lab's start and a subject's restart is simulated by an anchor ten minutes behind this
 * process's own: the child must follow the anchor (it used to stamp ten minutes apart).
 * Every check is an ordering between readings taken here before and after the child's.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LAB_CLOCK_ENV, now } from '../../../common/traceBasics';
import { tornado, noTornado } from '../tornado/python';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SLEPT_MS = 10 * 60_000;

/** This process's anchor: what the lab hands its children. */
const anchor = () => Number(process.env[LAB_CLOCK_ENV]);

async function nodeChild(env: NodeJS.ProcessEnv): Promise<{ t: number; anchor: string | undefined }> {
  const script = `import { now, LAB_CLOCK_ENV } from './common/traceBasics.ts';
const t = now();
console.log(JSON.stringify({ t, anchor: process.env[LAB_CLOCK_ENV] }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env,
  });
  return JSON.parse(stdout) as { t: number; anchor: string | undefined };
}

describe("the lab's clock in the processes it starts", () => {
  it('is set in this process for its children, and a child with no anchor takes its own and passes it on', async () => {
    expect(Number.isFinite(anchor())).toBe(true);
    const env = { ...process.env };
    delete env[LAB_CLOCK_ENV];
    const child = await nodeChild(env);
    // The child computed one and put it in its own environment for its children. It is not
    // compared with ours: both are wall minus monotonic time on one machine, taken at each
    // process's start to the microsecond, so they are often exactly equal (a clean clone's
    // run failed on a check that they differ).
    expect(Number.isFinite(Number(child.anchor))).toBe(true);
  });

  it("a Node child stamps on the lab's clock, even when its own wall clock moved on since the lab started", async () => {
    const before = now();
    const child = await nodeChild({ ...process.env, [LAB_CLOCK_ENV]: String(anchor() - SLEPT_MS) });
    const after = now();
    expect(child.t).toBeGreaterThanOrEqual(before - SLEPT_MS);
    expect(child.t).toBeLessThanOrEqual(after - SLEPT_MS);
  });

  it.skipIf(noTornado)("the Tornado subject's clock.py stamps on the lab's clock too", async () => {
    const code = [
      'import sys',
      `sys.path.insert(0, ${JSON.stringify(`${ROOT}server/subject-tornado`)})`,
      'from runtime.clock import now',
      'print(repr(now()))',
    ].join('\n');
    const stamp = async (env: NodeJS.ProcessEnv) => {
      const before = now();
      const { stdout } = await run(tornado.available ? tornado.python : 'python3', ['-c', code], { env });
      return { before, t: Number(stdout.trim()), after: now() };
    };
    const same = await stamp({ ...process.env });
    expect(same.t).toBeGreaterThanOrEqual(same.before);
    expect(same.t).toBeLessThanOrEqual(same.after);
    const slept = await stamp({ ...process.env, [LAB_CLOCK_ENV]: String(anchor() - SLEPT_MS) });
    expect(slept.t).toBeGreaterThanOrEqual(slept.before - SLEPT_MS);
    expect(slept.t).toBeLessThanOrEqual(slept.after - SLEPT_MS);
  });
});
