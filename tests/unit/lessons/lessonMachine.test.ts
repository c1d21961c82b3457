import { createActor, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../../common/api';
import { DEFAULT_CONFIG, type LabConfig } from '../../../common/config';
import type { Experiment } from '../../../common/lesson';
import type { RunRequest } from '../../../common/config';
import { GIVE_UP_MS, lessonMachine, POLL_MS } from '../../../src/lessons/lessonMachine';
import { runMachine } from '../../../src/machines/runMachine';

const experiment: Experiment = {
  config: { mode: 'blocking', dbLatencyMs: 100 },
  run: { requests: 10, concurrency: 10, route: 'getUser' },
  lookFor: 'the queue',
};

const summary = (status: RunSummary['status'], completed: number): RunSummary => ({
  id: 'r1',
  status,
  config: DEFAULT_CONFIG,
  plan: experiment.run,
  startedAt: 0,
  completed,
  errors: 0,
  durationMs: 1000,
  throughputPerSec: 10,
  latencyMs: { p50: 500, p95: 950, p99: 1000, max: 1000 },
  loop: { delayMaxMs: 900, utilization: 0.9 },
});

/** The machine with the lab replaced by scripted answers; records what it was asked. */
function scripted(options: { refuseConfig?: string; statuses?: RunSummary[] } = {}) {
  const calls: { applied: LabConfig[]; started: unknown[]; fetched: string[] } = {
    applied: [],
    started: [],
    fetched: [],
  };
  const statuses = [...(options.statuses ?? [summary('running', 3), summary('done', 10)])];
  const machine = lessonMachine.provide({
    actors: {
      applyConfig: fromPromise<LabConfig, Experiment>(async ({ input }) => {
        if (options.refuseConfig) throw new Error(options.refuseConfig);
        const applied = { ...DEFAULT_CONFIG, ...input.config };
        calls.applied.push(applied);
        return applied;
      }),
      // The run is the lab page's run machine, with the lab's answers scripted.
      run: runMachine.provide({
        actors: {
          startRun: fromPromise<{ id: string }, RunRequest>(async ({ input }) => {
            calls.started.push(input);
            return { id: 'r1' };
          }),
          fetchRun: fromPromise<RunSummary, string>(async ({ input }) => {
            calls.fetched.push(input);
            return statuses.length > 1 ? (statuses.shift() as RunSummary) : (statuses[0] as RunSummary);
          }),
        },
      }),
    },
  });
  return { machine, calls };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Running, and the lab has answered with the run's id (its polling clock has started). */
const started = (s: { matches: (state: 'running') => boolean; context: { runId: string | null } }) =>
  s.matches('running') && s.context.runId !== null;

describe('lessonMachine', () => {
  it('waits in idle until asked to run', () => {
    const actor = createActor(lessonMachine).start();
    expect(actor.getSnapshot().value).toBe('idle');
    actor.stop();
  });

  it('applies the preset, starts the run, polls until it is done and keeps the summary', async () => {
    const clock = new SimulatedClock();
    const { machine, calls } = scripted();
    const actor = createActor(machine, { clock }).start();
    actor.send({ type: 'RUN', experiment });
    await waitFor(actor, started);
    expect(calls.applied[0]).toMatchObject({ mode: 'blocking', dbLatencyMs: 100, cpuMs: 0, workers: 1 });
    expect(calls.started).toEqual([experiment.run]);
    expect(calls.fetched).toEqual([]); // nothing fetched before the first poll interval

    clock.increment(POLL_MS);
    await flush();
    expect(actor.getSnapshot().context.summary?.completed).toBe(3);
    expect(actor.getSnapshot().matches('running')).toBe(true);

    clock.increment(POLL_MS);
    await waitFor(actor, (s) => s.matches('done'));
    expect(calls.fetched).toEqual(['r1', 'r1']);
    expect(actor.getSnapshot().context.summary?.status).toBe('done');
    actor.stop();
  });

  it("fails with the server's message when the preset is refused", async () => {
    const { machine, calls } = scripted({
      refuseConfig: 'PUT /api/config answered 400: poolSize must be between 1 and 200',
    });
    const actor = createActor(machine).start();
    actor.send({ type: 'RUN', experiment });
    await waitFor(actor, (s) => s.matches('failed'));
    expect(actor.getSnapshot().context.error).toContain('poolSize must be between 1 and 200');
    expect(calls.started).toEqual([]);
    actor.stop();
  });

  it('fails when the run ends in anything but done', async () => {
    const clock = new SimulatedClock();
    const { machine } = scripted({
      statuses: [{ ...summary('failed', 4), message: 'the database stopped answering' }],
    });
    const actor = createActor(machine, { clock }).start();
    actor.send({ type: 'RUN', experiment });
    await waitFor(actor, started);
    clock.increment(POLL_MS);
    await waitFor(actor, (s) => s.matches('failed'));
    expect(actor.getSnapshot().context.error).toBe(
      'The run failed after 4 requests (0 errors): the database stopped answering.',
    );
    actor.stop();
  });

  it('gives up on a run that never finishes', async () => {
    const clock = new SimulatedClock();
    const { machine } = scripted({ statuses: [summary('running', 1)] });
    const actor = createActor(machine, { clock }).start();
    actor.send({ type: 'RUN', experiment });
    await waitFor(actor, started);
    clock.increment(GIVE_UP_MS);
    await waitFor(actor, (s) => s.matches('failed'));
    expect(actor.getSnapshot().context.error).toMatch(/did not finish/);
    actor.stop();
  });

  it('can run again after finishing, starting from a clean slate', async () => {
    const clock = new SimulatedClock();
    const { machine, calls } = scripted({ statuses: [summary('done', 10)] });
    const actor = createActor(machine, { clock }).start();
    actor.send({ type: 'RUN', experiment });
    await waitFor(actor, started);
    clock.increment(POLL_MS);
    await waitFor(actor, (s) => s.matches('done'));
    actor.send({ type: 'RUN', experiment });
    expect(actor.getSnapshot().context.summary).toBeNull();
    await waitFor(actor, started);
    expect(calls.started).toHaveLength(2);
    actor.stop();
  });

  it('returns to idle on RESET and forgets the run', async () => {
    const { machine } = scripted();
    const actor = createActor(machine).start();
    actor.send({ type: 'RUN', experiment });
    await waitFor(actor, started);
    actor.send({ type: 'RESET' });
    expect(actor.getSnapshot().value).toBe('idle');
    expect(actor.getSnapshot().context).toMatchObject({ runId: null, summary: null, experiment: null });
    actor.stop();
  });
});
