/**
 * The latency proxy as its own process, so its timers never run on the subject's loop
 * (DESIGN.md: the proxy never shares the subject's thread).
 *
 * Usage (by the supervisor, through spawnNode): main.ts <targetHost> <targetPort> <latencyMs>
 * Parent messages: { type: 'setLatency', ms } -> answers { type: 'latencySet', ms }.
 * Child messages: { type: 'ready', port } once listening.
 */
import { exitWithParent } from '../process/children';
import { startLatencyProxy } from './latencyProxy';
import type { ProxyMessage, ProxyReport } from './messages';

exitWithParent();

const [targetHost = '127.0.0.1', targetPortText = '', latencyText = '0'] = process.argv.slice(2);
const targetPort = Number(targetPortText);
const latencyMs = Number(latencyText);
if (!Number.isInteger(targetPort) || !Number.isFinite(latencyMs) || latencyMs < 0) {
  console.error(`proxy: bad arguments ${process.argv.slice(2).join(' ')}`);
  process.exit(2);
}

const report = (message: ProxyReport): void => {
  process.send?.(message);
};

const proxy = await startLatencyProxy({ targetHost, targetPort, latencyMs });
process.on('message', (message: ProxyMessage) => {
  if (message.type === 'setLatency') {
    proxy.setLatency(message.ms);
    report({ type: 'latencySet', ms: message.ms });
  }
});
process.once('SIGTERM', () => {
  void proxy.close().then(() => process.exit(0));
});
report({ type: 'ready', port: proxy.port });
