/**
 * WebSocket /api/live. The browser may send `{ "type": "ping" }` (answered with a status)
 * or `{ "type": "resume" }` (after a lagging notice). Anything else gets an `error` message;
 * a message over 4 KB (ws's maxPayload, set in app.ts) or more than 50 messages in a second
 * closes that socket and only that one. A socket beyond the hub's bounds (per client
 * address, in all: see live.ts) is closed at once with a code and a reason saying which.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LiveMessage } from '../../../common/api';
import type { Lab } from '../lab';
import type { LiveHub } from '../live';

export const LIVE_MAX_MESSAGE_BYTES = 4096;
export const LIVE_MAX_MESSAGES_PER_SEC = 50;

const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }).strict(),
  z.object({ type: z.literal('resume') }).strict(),
]);

export async function liveRoutes(app: FastifyInstance, { lab, live }: { lab: Lab; live: LiveHub }): Promise<void> {
  app.get('/api/live', { websocket: true }, async (socket, request) => {
    const seat = live.admit(request.socket.remoteAddress ?? 'unknown');
    if (!seat.ok) {
      socket.close(seat.code, seat.reason);
      return;
    }
    socket.once('close', seat.release);
    // Hold messages that arrive while the hello is being prepared, so none are dropped.
    const early: Buffer[] = [];
    const hold = (data: Buffer) => early.push(data);
    socket.on('message', hold);
    const health = await lab.health();
    if (socket.readyState !== socket.OPEN) return;
    const remove = live.add(socket, { type: 'hello', health });
    socket.once('close', remove);
    socket.off('message', hold);

    const reply = (message: LiveMessage) => socket.send(JSON.stringify(message));
    const times: number[] = [];
    const onMessage = (data: Buffer) => {
      const t = Date.now();
      times.push(t);
      while (times.length && times[0]! <= t - 1000) times.shift();
      if (times.length > LIVE_MAX_MESSAGES_PER_SEC) {
        socket.close(1008, `more than ${LIVE_MAX_MESSAGES_PER_SEC} messages per second`);
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(data.toString('utf8'));
      } catch {
        reply({ type: 'error', message: 'messages must be JSON, e.g. {"type":"ping"}' });
        return;
      }
      const parsed = clientMessageSchema.safeParse(value);
      if (!parsed.success) {
        reply({ type: 'error', message: 'unknown message: send {"type":"ping"} or {"type":"resume"}' });
        return;
      }
      if (parsed.data.type === 'resume') live.resume(socket);
      else void lab.health().then((h) => socket.readyState === socket.OPEN && reply({ type: 'status', health: h }));
    };
    socket.on('message', onMessage);
    for (const data of early) onMessage(data);
  });
}
