/** The handshake and the server's self-description: hello, ping, buildInfo, serverStatus, endSessions. */
import type { Document } from 'bson';
import { MAX_MESSAGE_SIZE } from '../framing';
import type { CommandContext, CommandHandler } from './context';
import { endSessions } from './sessions';

/** The MongoDB release whose wire protocol this server speaks (wire version 25 = 8.0). */
export const EMBEDDED_VERSION = '8.0.0';
const MAX_WIRE_VERSION = 25;
/** How this server names itself wherever mongod would name its build or process. */
export const EMBEDDED_NAME = 'event-loop-lab embedded MongoDB-compatible server';

/**
 * No setName (the driver would treat us as a replica set), no topologyVersion (it would switch
 * to streaming hello), and no `compression` (we only speak uncompressed messages).
 */
function hello(legacy: boolean): CommandHandler {
  return (cmd: Document, ctx: CommandContext) => ({
    ...(cmd.helloOk ? { helloOk: true } : {}),
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
}

const buildInfo: CommandHandler = () => ({
  version: EMBEDDED_VERSION,
  gitVersion: 'embedded',
  versionArray: [...EMBEDDED_VERSION.split('.').map(Number), 0],
  bits: 64,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['memory'],
  javascriptEngine: 'none',
  modules: [],
  embedded: EMBEDDED_NAME,
  ok: 1,
});

const serverStatus: CommandHandler = (_cmd, ctx) => ({
  host: '127.0.0.1',
  version: EMBEDDED_VERSION,
  process: EMBEDDED_NAME,
  pid: process.pid,
  uptime: Math.floor((Date.now() - ctx.stats.startedAt) / 1000),
  uptimeMillis: Date.now() - ctx.stats.startedAt,
  localTime: new Date(),
  connections: { ...ctx.stats.connections, available: 1_000_000 },
  opcounters: { ...ctx.stats.opcounters },
  extra_info: { user_time_us: process.cpuUsage().user, system_time_us: process.cpuUsage().system },
  mem: { bits: 64, resident: Math.round(process.memoryUsage().rss / 2 ** 20) },
  storageEngine: { name: 'memory' },
  ok: 1,
});

export const handshakeCommands: Record<string, CommandHandler> = {
  hello: hello(false),
  isMaster: hello(true),
  ismaster: hello(true),
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  serverStatus,
  // Sessions only scope transactions, which a standalone server refuses anyway.
  endSessions: (cmd) => {
    if (Array.isArray(cmd.endSessions)) endSessions(cmd.endSessions);
    return { ok: 1 };
  },
};
