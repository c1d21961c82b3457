import { describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { DEFAULT_CONFIG, type LabConfig, type LabConfigPatch } from '../../../common/config';
import { ApiError } from '../../../src/api/client';
import { configMachine } from '../../../src/machines/configMachine';
import { deferred, flush } from './fakes';

function start() {
  const puts: Array<{ patch: LabConfigPatch; answer: ReturnType<typeof deferred<LabConfig>> }> = [];
  const machine = configMachine.provide({
    actors: {
      loadConfig: fromPromise(async () => DEFAULT_CONFIG),
      applyConfig: fromPromise<LabConfig, LabConfigPatch>(({ input }) => {
        const answer = deferred<LabConfig>();
        puts.push({ patch: input, answer });
        return answer.promise;
      }),
    },
  });
  const actor = createActor(machine).start();
  return { actor, puts };
}

describe('configMachine', () => {
  it('is pending while the subject restarts, then applied with what the server answered', async () => {
    const { actor, puts } = start();
    await flush();
    expect(actor.getSnapshot().value).toBe('applied');
    actor.send({ type: 'config.change', patch: { mode: 'blocking' } });
    expect(actor.getSnapshot().value).toBe('pending');
    expect(puts[0]!.patch).toEqual({ mode: 'blocking' });
    puts[0]!.answer.resolve({ ...DEFAULT_CONFIG, mode: 'blocking' });
    await flush();
    expect(actor.getSnapshot().value).toBe('applied');
    expect(actor.getSnapshot().context.config.mode).toBe('blocking');
  });

  it('shows the server refusal message and recovers on the next change', async () => {
    const { actor, puts } = start();
    await flush();
    actor.send({ type: 'config.change', patch: { dbLatencyMs: 5000 } });
    puts[0]!.answer.reject(new ApiError(400, 'dbLatencyMs must be between 0 and 2000'));
    await flush();
    expect(actor.getSnapshot().value).toBe('refused');
    expect(actor.getSnapshot().context.message).toBe('dbLatencyMs must be between 0 and 2000');
    expect(actor.getSnapshot().context.config.dbLatencyMs).toBe(DEFAULT_CONFIG.dbLatencyMs);
    actor.send({ type: 'config.dismiss' });
    expect(actor.getSnapshot().value).toBe('applied');
    expect(actor.getSnapshot().context.message).toBeUndefined();
  });

  it('queues changes made while one is pending and sends them together afterwards', async () => {
    const { actor, puts } = start();
    await flush();
    actor.send({ type: 'config.change', patch: { mode: 'blocking' } });
    actor.send({ type: 'config.change', patch: { dbLatencyMs: 50 } });
    actor.send({ type: 'config.change', patch: { poolSize: 4 } });
    expect(puts).toHaveLength(1);
    puts[0]!.answer.resolve({ ...DEFAULT_CONFIG, mode: 'blocking' });
    await flush();
    expect(actor.getSnapshot().value).toBe('pending');
    expect(puts[1]!.patch).toEqual({ dbLatencyMs: 50, poolSize: 4 });
  });

  it('takes config changes announced by the server (another browser, a lesson)', async () => {
    const { actor } = start();
    await flush();
    actor.send({ type: 'config.received', config: { ...DEFAULT_CONFIG, cpuMs: 50 } });
    expect(actor.getSnapshot().context.config.cpuMs).toBe(50);
  });
});
