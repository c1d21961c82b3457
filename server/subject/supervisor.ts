/**
 * Runs the server under study for the lab: the latency proxy and the subject process(es).
 * Implements SubjectSupervisor (supervisorContract.ts). Operations are queued, so a start, an apply and
 * a stop never interleave; a subject that dies unexpectedly is restarted.
 */
import type { LabConfig } from '../../common/config';
import type { ProxyMessage, ProxyReport } from '../proxy/messages';
import type { SubjectState, SubjectSupervisor, SubjectSupervisorOptions } from './supervisorContract';
import { acknowledgesConfigure, liveSettings, planApply } from './applyPlan';
import type { SubjectCommand, SubjectReport } from './messages';
import { isShuttingDown } from '../process/children';
import { type ChildHandle, proxyTarget, startProxyProcess, startSubjectProcess } from './processes';
import { unpackBatch } from './runtime/traceBatch';
import { HEARTBEAT_MS, WATCHDOG_LIMIT_MS, watchLoop } from './watchdog';

type Proxy = ChildHandle<ProxyMessage, ProxyReport>;
type Subject = ChildHandle<SubjectCommand, SubjectReport>;

const MAX_QUICK_CRASHES = 5;
/** A subject that will not start is tried again after 0.5 s, 1 s, 2 s ... up to 10 s apart. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;

/** The subject's answer to a live tracing switch: requests received and CPU used (µs) so far. */
export interface TracingState {
  requests: number;
  cpuMicros: number;
}

/** The supervisor, plus the process ids it runs (for tests and diagnostics). */
export interface InspectableSubjectSupervisor extends SubjectSupervisor {
  pids(): { proxy?: number; subject?: number };
  /**
   * Turns tracing on or off inside the running Node subject, without a restart (for
   * bench/tracing.ts, which compares both sides in one warm process; one worker only).
   * The lab's own config is not changed.
   */
  setTracingLive(enabled: boolean): Promise<TracingState>;
}

export function createSubjectSupervisor(options: SubjectSupervisorOptions): InspectableSubjectSupervisor {
  const target = proxyTarget(options.mongoUri);
  let config: LabConfig | undefined;
  let proxy: Proxy | undefined;
  let subject: Subject | undefined;
  let current: SubjectState = 'down';
  let stopped = false;
  let quickCrashes = 0;
  let queue: Promise<unknown> = Promise.resolve();
  let handlers: Record<string, string> = {};

  const setState = (state: SubjectState, message?: string): void => {
    if (state === current && message === undefined) return;
    current = state;
    options.onState?.(state, message);
  };
  /** Runs operations one at a time, in order. */
  const serial = <T>(operation: () => Promise<T>): Promise<T> => {
    const result = queue.then(operation, operation);
    queue = result.catch(() => undefined);
    return result;
  };

  const onReport = (report: SubjectReport): void => {
    if (report.type === 'events') options.onEvents(unpackBatch(report.events));
    else if (report.type === 'database' && !report.up)
      setState('down', `database unreachable: ${report.message ?? ''}`);
    else if (report.type === 'database' && report.up && current === 'down')
      setState('ready', 'database reachable again');
    else if (report.type === 'fatal') process.stderr.write(`[subject] ${report.message}\n`);
  };

  const startProxy = async (cfg: LabConfig): Promise<Proxy> => {
    const started = await startProxyProcess(target, cfg.dbLatencyMs);
    started.child.once('exit', () => {
      if (proxy === started && !stopped && !isShuttingDown()) void crashed('the latency proxy exited');
    });
    return started;
  };

  const startSubject = async (cfg: LabConfig, proxyPort: number): Promise<Subject> => {
    const startedAt = Date.now();
    // Each runtime serves its own edited handlers: .ts modules for Node, .py files for Tornado.
    const ownHandlers = Object.fromEntries(
      Object.entries(handlers).filter(([file]) => file.endsWith(cfg.runtime === 'tornado' ? '.py' : '.ts')),
    );
    const edited = Object.keys(ownHandlers).length > 0;
    const spec = {
      config: cfg,
      uri: target.through(proxyPort),
      dbName: options.dbName,
      handlers: ownHandlers,
      ...(edited ? { heartbeatMs: HEARTBEAT_MS } : {}),
      ...(edited && options.editedLimits?.deadlineMs ? { editedDeadlineMs: options.editedLimits.deadlineMs } : {}),
    };
    const started = await startSubjectProcess(spec);
    started.child.on('message', onReport);
    let held: string | undefined;
    if (edited) {
      const limitMs = options.editedLimits?.watchdogMs ?? WATCHDOG_LIMIT_MS;
      watchLoop(
        started.child,
        cfg.workers,
        () => {
          held = `your handler held the loop for ${limitMs / 1000} s`;
          started.child.kill('SIGKILL');
        },
        limitMs,
      );
    }
    started.child.once('exit', (code, signal) => {
      if (subject !== started || stopped || isShuttingDown()) return;
      quickCrashes = Date.now() - startedAt < 10_000 ? quickCrashes + 1 : 0;
      void crashed(held ?? `the subject exited (${signal ?? code})`);
    });
    return started;
  };

  /** (Re)starts whatever is missing; the proxy first, since the subject's URI points at it. */
  const bringUp = async (cfg: LabConfig): Promise<void> => {
    if (!proxy || proxy.child.exitCode !== null || proxy.child.signalCode !== null) {
      await subject?.stop();
      subject = undefined;
      proxy = await startProxy(cfg);
    }
    subject ??= await startSubject(cfg, proxy.port);
    if (stopped) {
      // stop() ran while we were starting: what we just started must not outlive it.
      await Promise.all([subject.stop(), proxy.stop()]);
      throw new Error('the supervisor was stopped');
    }
  };

  /**
   * A new config that does not start must not leave the lab stuck: the old config is kept
   * (the lab only adopts a config once it runs) and brought back up, retrying with backoff.
   */
  const restoreAfterFailedApply = async (previous: LabConfig, next: LabConfig, error: unknown): Promise<void> => {
    config = previous;
    const why = `the new config did not start (${error instanceof Error ? error.message : String(error)}); kept the previous one`;
    if (next.dbLatencyMs !== previous.dbLatencyMs && proxy?.child.connected) {
      await proxy
        .ask({ type: 'setLatency', ms: previous.dbLatencyMs }, (r): r is ProxyReport => r.type === 'latencySet', 5000)
        .catch(() => undefined);
    }
    if (subject && (subject.child.exitCode !== null || subject.child.signalCode !== null)) subject = undefined;
    try {
      await bringUp(previous);
      setState('ready', why);
    } catch (again) {
      setState(
        'down',
        `${why}, which did not start either (${again instanceof Error ? again.message : String(again)}); retrying`,
      );
      retryLater(why);
    }
  };

  let retryDelayMs = RETRY_FIRST_MS;
  /** Tries the crash path again after a growing delay, until something starts or the lab stops. */
  const retryLater = (message: string): void => {
    const delay = retryDelayMs;
    retryDelayMs = Math.min(retryDelayMs * 2, RETRY_MAX_MS);
    setTimeout(() => {
      if (!stopped && current !== 'ready') void crashed(message);
    }, delay).unref();
  };

  const crashed = (message: string): Promise<void> =>
    serial(async () => {
      if (stopped || isShuttingDown() || !config) return;
      if (quickCrashes >= MAX_QUICK_CRASHES)
        return setState('down', `${message}; gave up after ${quickCrashes} quick crashes`);
      setState('restarting', `${message}; restarting`);
      if (subject && (subject.child.exitCode !== null || subject.child.signalCode !== null)) subject = undefined;
      try {
        await bringUp(config);
        retryDelayMs = RETRY_FIRST_MS;
        setState('ready');
      } catch (error) {
        setState('down', `${error instanceof Error ? error.message : String(error)}; retrying`);
        retryLater(message);
      }
    });

  return {
    start: (cfg) =>
      serial(async () => {
        if (stopped) throw new Error('the supervisor was stopped');
        config = cfg;
        setState('starting');
        await bringUp(cfg);
        setState('ready');
      }),

    apply: (next) =>
      serial(async () => {
        if (stopped) throw new Error('the supervisor was stopped');
        const previous = config;
        config = next;
        if (!previous || !subject || !proxy) {
          setState('starting');
          await bringUp(next);
          return setState('ready');
        }
        if (next.dbLatencyMs !== previous.dbLatencyMs) {
          await proxy.ask(
            { type: 'setLatency', ms: next.dbLatencyMs },
            (r): r is ProxyReport => r.type === 'latencySet',
            5000,
          );
        }
        const plan = planApply(previous, next);
        if (plan === 'restart') {
          setState('restarting', 'applying a new config');
          const old = subject;
          subject = undefined;
          await old.stop();
          try {
            await bringUp(next);
          } catch (error) {
            await restoreAfterFailedApply(previous, next, error);
            throw error;
          }
          setState('ready');
        } else if (plan === 'configure' && !acknowledgesConfigure(next)) {
          subject.send({ type: 'configure', ...liveSettings(next) });
        } else if (plan === 'configure') {
          const isConfigured = (r: SubjectReport): r is Extract<SubjectReport, { type: 'configured' }> =>
            r.type === 'configured';
          const reply = await subject.ask({ type: 'configure', ...liveSettings(next) }, isConfigured, 30_000);
          if (!reply.ok) {
            config = { ...next, ...liveSettings(previous) };
            throw new Error(`the subject could not switch: ${reply.message ?? 'unknown error'}`);
          }
        }
      }),

    setHandlers: (next) =>
      serial(async () => {
        if (stopped) throw new Error('the supervisor was stopped');
        handlers = { ...next };
        if (!config) return; // not started yet: start() will load them
        setState('restarting', 'loading edited handlers');
        const old = subject;
        subject = undefined;
        await old?.stop();
        try {
          await bringUp(config);
        } catch (error) {
          setState('down', error instanceof Error ? error.message : String(error));
          throw error;
        }
        setState('ready');
      }),

    warm: () =>
      serial(async () => {
        if (!subject) throw new Error('the subject is not running');
        const isWarmed = (r: SubjectReport): r is Extract<SubjectReport, { type: 'warmed' }> => r.type === 'warmed';
        const reply = await subject.ask({ type: 'warm' }, isWarmed, 30_000);
        if (!reply.ok) throw new Error(`warming the pool failed: ${reply.message ?? 'unknown error'}`);
      }),

    url() {
      if (!subject) throw new Error('the subject is not running');
      return `http://127.0.0.1:${subject.port}`;
    },

    state: () => current,

    pids: () => ({ proxy: proxy?.child.pid, subject: subject?.child.pid }),

    setTracingLive: (enabled) =>
      serial(async () => {
        if (!subject) throw new Error('the subject is not running');
        const isTracing = (r: SubjectReport): r is Extract<SubjectReport, { type: 'tracing' }> => r.type === 'tracing';
        const reply = await subject.ask({ type: 'tracing', enabled }, isTracing, 5000);
        if (reply.enabled !== enabled) throw new Error(`the subject did not turn tracing ${enabled ? 'on' : 'off'}`);
        return { requests: reply.requests, cpuMicros: reply.cpuMicros };
      }),

    stop: async () => {
      stopped = true;
      const [s, p] = [subject, proxy];
      subject = undefined;
      proxy = undefined;
      await Promise.all([s?.stop(), p?.stop()]);
      if (current !== 'down') setState('down', 'stopped');
    },
  };
}
