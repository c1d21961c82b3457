/** Test doubles for the machines' actors: a scriptable socket and promise actors. */
import { fromCallback } from 'xstate';
import type { SocketCommand, SocketEvent } from '../../../src/machines/socketActor';

export interface FakeSocket {
  url: string;
  sendBack: (event: SocketEvent) => void;
  received: SocketCommand[];
  closed: boolean;
}

export function fakeSocketFactory() {
  const sockets: FakeSocket[] = [];
  const logic = fromCallback<SocketCommand, { url: string }, SocketEvent>(({ input, sendBack, receive }) => {
    const socket: FakeSocket = { url: input.url, sendBack, received: [], closed: false };
    sockets.push(socket);
    receive((command) => socket.received.push(command));
    return () => {
      socket.closed = true;
    };
  });
  return { sockets, logic, last: () => sockets.at(-1)! };
}

/** A promise the test settles by hand, to hold a machine in a state. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
