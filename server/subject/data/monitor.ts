/**
 * Listens to the driver's own events (CMAP and command monitoring) so the trace shows
 * what the driver really did: when a command went out (`db.sent`, matched to its request
 * through the command's `comment`) and how many pool connections are busy or awaited.
 */
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { now } from '../../../common/trace';

export interface MonitorHooks {
  /** A command carrying this comment (a request id) left on a connection at time t. */
  sent?(comment: string, t: number): void;
  /** Pool connections checked out (inUse) and checkouts waiting, as deltas. */
  pool?(inUseDelta: number, waitingDelta: number): void;
}

export function monitorClient(client: MongoClient, hooks: MonitorHooks): void {
  const { sent, pool } = hooks;
  if (sent) {
    client.on('commandStarted', (event: CommandStartedEvent) => {
      const comment = (event.command as { comment?: unknown }).comment;
      if (typeof comment === 'string') sent(comment, now());
    });
  }
  if (pool) {
    client.on('connectionCheckOutStarted', () => pool(0, 1));
    client.on('connectionCheckedOut', () => pool(1, -1));
    client.on('connectionCheckOutFailed', () => pool(0, -1));
    client.on('connectionCheckedIn', () => pool(-1, 0));
  }
}
