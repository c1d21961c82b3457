/** A WebSocket on /api/live that can carry the presenter's header, keeping every message. */
import { WebSocket } from 'ws';
import type { LiveMessage } from '../../../common/api';
import { PRESENTER_HEADER } from '../../../server/lab/classroom/presenterToken';

export interface LiveClient {
  socket: WebSocket;
  messages: LiveMessage[];
  closed: Promise<number>;
}

/** Opens the live stream; resolves once open, rejects with the HTTP status if the upgrade is refused. */
export function openLiveAs(url: string, headers: Record<string, string>): Promise<LiveClient> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/api/live`, { headers });
  const messages: LiveMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as LiveMessage));
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, closed }));
    socket.once('unexpected-response', (_request, response) => {
      reject(new Error(`upgrade refused: ${response.statusCode}`));
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

export const presenterHeaders = (token: string) => ({ [PRESENTER_HEADER]: token });
