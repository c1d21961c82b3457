/**
 * Starting the latency proxy and the subject as child processes, and talking to them
 * over IPC. The supervisor decides when; this file knows how.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { spawnNode, stopChild } from '../process/children';
import type { ProxyMessage, ProxyReport } from '../proxy/messages';
import { startTornadoSubject } from '../subject-tornado/spawn';
import { childBundle } from './bundle';
import { SPEC_ENV, THREAD_ENTRY_ENV, type SubjectCommand, type SubjectReport, type SubjectSpec } from './messages';

// fileURLToPath, not .pathname: a folder named "my labs" would stay "my%20labs".
const PROXY_ENTRY = fileURLToPath(new URL('../proxy/main.ts', import.meta.url));
const SUBJECT_ENTRY = fileURLToPath(new URL('./main.ts', import.meta.url));

export interface ChildHandle<Command, Report> {
  child: ChildProcess;
  port: number;
  send(command: Command): void;
  /** Sends a command and resolves with the first report that `accept` takes. */
  ask<R extends Report>(command: Command, accept: (report: Report) => report is R, timeoutMs: number): Promise<R>;
  stop(): Promise<void>;
}

/** Children's output goes to ours, prefixed, so a crash leaves a readable trail (and pipes never fill). */
function forwardOutput(child: ChildProcess, label: string): void {
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n'))
      if (line.trim()) process.stderr.write(`[${label}] ${line}\n`);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
}

function waitFor<Report>(
  child: ChildProcess,
  accept: (report: Report) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Report> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (report: Report) => {
      if (!accept(report)) return;
      cleanup();
      resolve(report);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${what}: the process exited (${signal ?? code})`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Waits for a freshly spawned child's 'ready' (or 'fatal') report and wraps it in a handle. */
export async function connectChild<Command, Report extends { type: string }>(
  child: ChildProcess,
  label: string,
  timeoutMs: number,
): Promise<ChildHandle<Command, Report>> {
  forwardOutput(child, label);
  const fatal = (report: Report): boolean => report.type === 'fatal';
  const ready = await waitFor<Report>(
    child,
    (report) => report.type === 'ready' || fatal(report),
    timeoutMs,
    `starting ${label}`,
  ).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  if (ready.type === 'fatal') {
    await stopChild(child);
    throw new Error(`${label} failed to start: ${(ready as { message?: string }).message ?? ''}`);
  }
  return {
    child,
    port: (ready as unknown as { port: number }).port,
    send: (command) => {
      if (child.connected) child.send(command as object);
    },
    ask(command, accept, askTimeoutMs) {
      const answer = waitFor<Report>(child, accept, askTimeoutMs, `${label}`);
      if (child.connected) child.send(command as object);
      return answer as Promise<never>;
    },
    stop: () => stopChild(child),
  };
}

export async function startProxyProcess(
  target: { host: string; port: number },
  latencyMs: number,
): Promise<ChildHandle<ProxyMessage, ProxyReport>> {
  const bundle = await childBundle();
  const args = [target.host, String(target.port), String(latencyMs)];
  const child = bundle ? spawnNode(bundle.proxy, args, { typescript: false }) : spawnNode(PROXY_ENTRY, args);
  return connectChild(child, 'proxy', 20_000);
}

/** Starts the subject in the runtime its config names: the Node subject here, or the Tornado one. */
export async function startSubjectProcess(spec: SubjectSpec): Promise<ChildHandle<SubjectCommand, SubjectReport>> {
  if (spec.config.runtime === 'tornado') return startTornadoSubject(spec);
  const bundle = await childBundle();
  const env = { [SPEC_ENV]: JSON.stringify(spec) };
  // For profiling the subject alone (bench/tracingProfile.ts passes --perf-basic-prof): Node
  // flags for its process only, space-separated.
  const nodeFlags = process.env.LAB_SUBJECT_NODE_FLAGS?.split(' ').filter(Boolean);
  const child = bundle
    ? spawnNode(bundle.subject, [], {
        typescript: false,
        env: { ...env, [THREAD_ENTRY_ENV]: bundle.dbThread },
        nodeFlags,
      })
    : spawnNode(SUBJECT_ENTRY, [], { env, nodeFlags });
  return connectChild(child, 'subject', 30_000);
}

/**
 * The subject reaches MongoDB through the proxy: the URI's (first) host is replaced by the
 * proxy's address. mongodb+srv cannot be proxied (its hosts come from DNS).
 */
export function proxyTarget(mongoUri: string): { host: string; port: number; through(proxyPort: number): string } {
  const match = /^mongodb:\/\/(?:([^@/]*)@)?([^/?]+)(.*)$/.exec(mongoUri);
  if (!match) throw new Error('the subject needs a mongodb:// URI (mongodb+srv cannot go through the latency proxy)');
  const [, credentials, hosts = '', rest = ''] = match;
  const first = hosts.split(',')[0] ?? '';
  const hostMatch = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(first);
  if (!hostMatch) throw new Error(`cannot read the host in ${first}`);
  const host = (hostMatch[1] ?? '').replace(/^\[|\]$/g, '');
  const port = Number(hostMatch[2] ?? 27017);
  return {
    host,
    port,
    through: (proxyPort) => `mongodb://${credentials ? `${credentials}@` : ''}127.0.0.1:${proxyPort}${rest}`,
  };
}
