/**
 * The live WebSocket as a callback actor: it reports open/message/close to its parent
 * and sends what the parent asks it to. Owning the socket here keeps components and
 * machines free of browser APIs (tests provide a fake actor instead).
 */
import { fromCallback } from 'xstate';
import type { LiveClientMessage, LiveMessage } from '../../common/api';
import { NO_LAB_MESSAGE } from '../api/labOrigin';

export type SocketEvent =
  | { type: 'socket.open' }
  | { type: 'socket.message'; message: LiveMessage }
  | { type: 'socket.closed'; reason: string };

export type SocketCommand = { type: 'socket.send'; message: LiveClientMessage };

export const liveSocket = fromCallback<SocketCommand, { url: string }, SocketEvent>(({ input, sendBack, receive }) => {
  if (!input.url) {
    // A static site with no lab connected: nothing to open, so no failed request either.
    queueMicrotask(() => sendBack({ type: 'socket.closed', reason: NO_LAB_MESSAGE }));
    return () => undefined;
  }
  const socket = new WebSocket(input.url);
  let closed = false;
  socket.onopen = () => sendBack({ type: 'socket.open' });
  socket.onmessage = (event) => {
    try {
      sendBack({ type: 'socket.message', message: JSON.parse(String(event.data)) as LiveMessage });
    } catch {
      // A malformed frame is the server's bug; dropping it keeps the page alive.
    }
  };
  const onClose = (reason: string) => {
    if (closed) return;
    closed = true;
    sendBack({ type: 'socket.closed', reason });
  };
  socket.onclose = (event) => onClose(event.reason || `closed (${event.code})`);
  socket.onerror = () => onClose('connection error');
  receive((command) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(command.message));
  });
  return () => {
    closed = true;
    socket.onclose = null;
    socket.close();
  };
});
