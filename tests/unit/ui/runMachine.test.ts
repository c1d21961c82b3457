import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import type { HealthResponse, RunSummary } from '../../../common/api';
import { DEFAULT_CONFIG, type RunRequest } from '../../../common/config';
import { ApiError } from '../../../src/api/client';
import { DATABASE_DOWN, POLL_MS, runMachine } from '../../../src/machines/runMachine';
import { deferred, flush } from './fakes';

const summary = (id: string, status: RunSummary['status'], completed = 10): RunSummary => ({
  id,
  status,
  config: DEFAULT_CONFIG,
  plan: { requests: 10, concurrency: 10 },
  startedAt: 0,
  completed,
  errors: status === 'failed' ? 3 : 0,
  durationMs: 2000,
  throughputPerSec: 5,
  latencyMs: { p50: 1, p95: 2, p99: 3, max: 4 },
  loop: { delayMaxMs: 200, utilization: 0.1 },
});

const health = (up: boolean): HealthResponse => ({
  status: up ? 'ok' : 'degraded',
  database: { kind: 'embedded', version: '7', reason: '', up },
  config: DEFAULT_CONFIG,
  subject: { state: 'ready' },
});

function start(startRun: (plan: RunRequest) => Promise<{ id: string }>) {
  const clock = new SimulatedClock();
  const polls: string[] = [];
  const polled = deferred<RunSummary>();
  const machine = runMachine.provide({
    actors: {
      startRun: fromPromise<{ id: string }, RunRequest>(({ input }) => startRun(input)),
      fetchRun: fromPromise<RunSummary, string>(({ input }) => (polls.push(input), polled.promise)),
    },
  });
  const actor = createActor(machine, { clock, input: {} }).start();
  return { actor, clock, polls, polled };
}

describe('runMachine', () => {
  it('goes starting, running, done as the server reports the run', async () => {
    const { actor } = start(async () => ({ id: 'run-1' }));
    actor.send({ type: 'run.fire', plan: { requests: 10, concurrency: 10 } });
    expect(actor.getSnapshot().value).toBe('starting');
    await flush();
    expect(actor.getSnapshot().matches('running')).toBe(true);
    expect(actor.getSnapshot().context.runId).toBe('run-1');
    actor.send({ type: 'run.update', run: summary('other', 'done') });
    expect(actor.getSnapshot().matches('running')).toBe(true);
    actor.send({ type: 'run.update', run: summary('run-1', 'done') });
    expect(actor.getSnapshot().value).toBe('done');
    expect(actor.getSnapshot().context.summary?.completed).toBe(10);
  });

  it('fails with the server message when the run is refused', async () => {
    const { actor } = start(async () => {
      throw new ApiError(400, 'requests must be between 1 and 100000');
    });
    actor.send({ type: 'run.fire', plan: { requests: 10, concurrency: 10 } });
    await flush();
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.message).toBe('requests must be between 1 and 100000');
  });

  it('fails when the database goes down during the run', async () => {
    const { actor } = start(async () => ({ id: 'run-1' }));
    actor.send({ type: 'run.fire', plan: { requests: 10, concurrency: 10 } });
    await flush();
    actor.send({ type: 'run.health', health: health(false) });
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.message).toBe(DATABASE_DOWN);
    expect(actor.getSnapshot().context.databaseUp).toBe(false);
  });

  it('polls the run when the socket says nothing, and finishes from the poll', async () => {
    const { actor, clock, polls, polled } = start(async () => ({ id: 'run-1' }));
    actor.send({ type: 'run.fire', plan: { requests: 10, concurrency: 10 } });
    await flush();
    clock.increment(POLL_MS);
    expect(polls).toEqual(['run-1']);
    polled.resolve(summary('run-1', 'failed', 7));
    await flush();
    expect(actor.getSnapshot().value).toBe('failed');
    expect(actor.getSnapshot().context.message).toBe('The run failed after 7 requests (3 errors).');
  });

  it('follows a run someone else started (a lesson) and can fire again afterwards', async () => {
    const { actor } = start(async () => ({ id: 'mine' }));
    actor.send({ type: 'run.update', run: summary('lesson-run', 'running', 0) });
    expect(actor.getSnapshot().matches('running')).toBe(true);
    expect(actor.getSnapshot().context.runId).toBe('lesson-run');
    actor.send({ type: 'run.update', run: summary('lesson-run', 'done') });
    actor.send({ type: 'run.fire', plan: { requests: 1, concurrency: 1 } });
    await flush();
    expect(actor.getSnapshot().context.runId).toBe('mine');
  });
});
