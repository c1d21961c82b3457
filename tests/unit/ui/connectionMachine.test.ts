import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import type { HealthResponse } from '../../../common/api';
import { DEFAULT_CONFIG } from '../../../common/config';
import {
  backoffDelay,
  connectionMachine,
  LAG_SETTLE_MS,
  type ConnectionNotice,
} from '../../../src/machines/connectionMachine';
import { fakeSocketFactory } from './fakes';

const health: HealthResponse = {
  status: 'ok',
  database: { kind: 'embedded', version: '7.0', reason: 'offline', up: true },
  config: DEFAULT_CONFIG,
  subject: { state: 'ready' },
};

function start() {
  const clock = new SimulatedClock();
  const fake = fakeSocketFactory();
  const notices: ConnectionNotice[] = [];
  const actor = createActor(connectionMachine.provide({ actors: { liveSocket: fake.logic } }), {
    clock,
    input: { url: 'ws://lab/api/live', onMessage: (n) => notices.push(n) },
  });
  actor.start();
  return { actor, clock, fake, notices };
}

describe('connectionMachine', () => {
  it('connects, keeps the health from hello and forwards every message', () => {
    const { actor, fake, notices } = start();
    expect(actor.getSnapshot().matches({ online: 'connecting' })).toBe(true);
    fake.last().sendBack({ type: 'socket.open' });
    fake.last().sendBack({ type: 'socket.message', message: { type: 'hello', health } });
    fake.last().sendBack({ type: 'socket.message', message: { type: 'trace', runId: 'r1', events: [] } });
    expect(actor.getSnapshot().matches({ online: { connected: 'live' } })).toBe(true);
    expect(actor.getSnapshot().context.health?.database.kind).toBe('embedded');
    expect(notices.map((n) => n.type)).toEqual(['hello', 'trace']);
  });

  it('reconnects with exponential backoff after the socket closes', () => {
    const { actor, clock, fake, notices } = start();
    fake.last().sendBack({ type: 'socket.closed', reason: 'refused' });
    expect(actor.getSnapshot().value).toBe('reconnecting');
    expect(notices.at(-1)?.type).toBe('disconnected');
    clock.increment(backoffDelay(1) - 1);
    expect(fake.sockets).toHaveLength(1);
    clock.increment(1);
    expect(fake.sockets).toHaveLength(2);
    fake.last().sendBack({ type: 'socket.closed', reason: 'refused' });
    expect(actor.getSnapshot().context.attempt).toBe(2);
    clock.increment(backoffDelay(1));
    expect(fake.sockets).toHaveLength(2); // the second wait is twice as long
    clock.increment(backoffDelay(2) - backoffDelay(1));
    expect(fake.sockets).toHaveLength(3);
    fake.last().sendBack({ type: 'socket.open' });
    expect(actor.getSnapshot().context.attempt).toBe(0);
  });

  it('caps the backoff', () => {
    expect([1, 2, 3, 4].map(backoffDelay)).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(30)).toBe(10_000);
  });

  it('retries at once when asked', () => {
    const { actor, fake } = start();
    fake.last().sendBack({ type: 'socket.closed', reason: 'gone' });
    actor.send({ type: 'connection.retry' });
    expect(fake.sockets).toHaveLength(2);
    expect(fake.sockets[0]!.closed).toBe(true);
  });

  it('after a lagging notice, waits, asks the server to resume and asks for a resync', () => {
    const { actor, clock, fake, notices } = start();
    fake.last().sendBack({ type: 'socket.open' });
    fake.last().sendBack({ type: 'socket.message', message: { type: 'lagging', skipped: 12 } });
    expect(actor.getSnapshot().matches({ online: { connected: 'lagging' } })).toBe(true);
    expect(actor.getSnapshot().context.skipped).toBe(12);
    clock.increment(LAG_SETTLE_MS);
    expect(actor.getSnapshot().matches({ online: { connected: 'live' } })).toBe(true);
    expect(fake.last().received).toEqual([{ type: 'socket.send', message: { type: 'resume' } }]);
    expect(notices.map((n) => n.type)).toEqual(['lagging', 'resync']);
  });
});
