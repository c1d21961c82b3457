/**
 * What the lab says about its own health (GET /api/health and the live stream's `status`):
 * the database (pinged at most once a second, and what its keeper last said while it is being
 * restarted), the subject's state, whether runs can be saved, and the runtimes available.
 * Split from lab.ts, which runs the config and the runs and asks this for the database's state.
 */
import type { MongoClient } from 'mongodb';
import type { DatabaseInfo, HealthResponse, TornadoRuntimeInfo } from '../../common/api';
import type { LabConfig } from '../../common/config';
import type { SubjectState } from '../subject/supervisorContract';
import type { LiveHub } from './live';
import type { RunStore } from './runStore';

export interface HealthSources {
  database: { info: DatabaseInfo; client: MongoClient };
  store: Pick<RunStore, 'savingProblem'>;
  tornado: () => Promise<TornadoRuntimeInfo>;
  live: Pick<LiveHub, 'broadcast'>;
  log: (line: string) => void;
  config(): LabConfig;
  /** The subject as the lab knows it now; `url` only while it serves. */
  subject(): { state: SubjectState; message?: string; url?: string };
}

/** What the database's keeper (server/db/keeper.ts) last said, while the database is not fully back. */
interface DatabaseTrouble {
  up: boolean;
  restarting?: boolean;
  nextRetryAt?: number;
}

/** How long a ping's answer is reused: the UI polls health, and one ping a second is plenty. */
const PING_REUSE_MS = 1000;
/**
 * After a health check found the database silent, it is pinged this often until it answers,
 * and then every page is told: a page hears the lab's health only in its hello and in
 * broadcasts, so a "down" that nothing corrects stays on its screen (a lab that started on a
 * busy machine said DOWN for a minute, with its database answering all along).
 */
const RECHECK_MS = 1000;

export class LabHealth {
  private databaseMessage: string | undefined;
  private databaseTrouble: DatabaseTrouble | undefined;
  private lastPing: { at: number; up: boolean } | undefined;
  private recheck: NodeJS.Timeout | undefined;
  /** The ping on its way, if one is (see ping()). */
  private pinging: Promise<boolean> | undefined;
  private closed = false;

  constructor(private readonly sources: HealthSources) {}

  /** The database went away or came back (its keeper restarted it): say so in health and on the live stream. */
  onDatabaseChange(up: boolean, message: string, state?: { restarting?: boolean; nextRetryAt?: number }): void {
    this.databaseMessage = message;
    this.databaseTrouble =
      up && !state?.restarting ? undefined : { up, restarting: state?.restarting, nextRetryAt: state?.nextRetryAt };
    this.lastPing = undefined;
    void (up ? this.broadcastOncePingable() : this.broadcast());
  }

  /** Why a new run cannot use the database now, if its keeper says it is down. */
  databaseRefusal(): string | undefined {
    const trouble = this.databaseTrouble;
    if (!trouble || trouble.up) return undefined;
    return `the database is down: ${this.databaseMessage ?? 'no answer'}`;
  }

  /** Sends the lab's health to every page (a failure to compute it is logged, never thrown). */
  async broadcast(): Promise<void> {
    try {
      this.sources.live.broadcast({ type: 'status', health: await this.health() });
    } catch (error) {
      this.sources.log(`could not send the lab's status: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async health(): Promise<HealthResponse> {
    const up = await this.ping();
    if (!up) this.recheckUntilUp();
    const subject = this.sources.subject();
    const url = subject.state === 'ready' ? subject.url : undefined;
    const savingProblem = await this.sources.store.savingProblem();
    const tornado = await this.sources.tornado();
    const trouble = this.databaseTrouble;
    // A subject is never ready while the database it serves is known to be down.
    const waiting =
      subject.state === 'ready' && (!up || (trouble && !trouble.up))
        ? (this.databaseRefusal() ?? 'the database does not answer')
        : undefined;
    const subjectState = waiting ? 'down' : subject.state;
    const subjectMessage = waiting ? `waiting for the database (${waiting})` : subject.message;
    return {
      status: up && subjectState === 'ready' && !trouble && !savingProblem ? 'ok' : 'degraded',
      database: {
        ...this.sources.database.info,
        up,
        ...(this.databaseMessage ? { message: this.databaseMessage } : {}),
        ...(trouble?.restarting ? { restarting: true } : {}),
        ...(trouble?.nextRetryAt ? { nextRetryAt: new Date(trouble.nextRetryAt).toISOString() } : {}),
      },
      config: this.sources.config(),
      subject: {
        state: subjectState,
        ...(url && !waiting ? { url } : {}),
        ...(subjectMessage && subjectState !== 'ready' ? { message: subjectMessage } : {}),
      },
      runs: savingProblem ? { canSave: false, message: `runs cannot be saved: ${savingProblem}` } : { canSave: true },
      runtimes: { tornado },
    };
  }

  /**
   * The lab's own client reconnects a moment after the database is back (a new connection, on
   * a busy machine more than the ping's 1 s): the UI hears only this broadcast, so it waits
   * for a ping that answers rather than sending a stale "down" that nothing would correct.
   */
  private async broadcastOncePingable(): Promise<void> {
    for (let attempt = 0; attempt < 20 && !(await this.ping()); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      this.lastPing = undefined;
    }
    await this.broadcast();
  }

  /** Pings every RECHECK_MS until the database answers, then tells every page (one loop at a time). */
  private recheckUntilUp(): void {
    if (this.recheck || this.closed) return;
    const tick = async (): Promise<void> => {
      this.lastPing = undefined;
      const up = await this.ping();
      if (this.closed) return;
      if (!up) {
        this.recheck = setTimeout(() => void tick(), RECHECK_MS).unref();
        return;
      }
      this.recheck = undefined;
      await this.broadcast();
    };
    this.recheck = setTimeout(() => void tick(), RECHECK_MS).unref();
  }

  /** Stops re-checking (the lab is closing; its client is about to be closed). */
  close(): void {
    this.closed = true;
    clearTimeout(this.recheck);
    this.recheck = undefined;
  }

  /**
   * Opens the lab's own connection to the database and records that it answers. The lab does
   * this while the subject starts, so the first health check (the page's first poll) pings on
   * an open connection: opening one within the ping's 1 s is what a busy machine does not
   * always manage, and the lab then said the database was down just after a good start.
   */
  async connect(): Promise<void> {
    const up = await this.sources.database.client
      .db('admin')
      .command({ ping: 1 })
      .then(
        () => true,
        () => false,
      );
    // A failure is left to the next check: it may be the start's own 2 s server selection.
    if (up) this.lastPing = { at: Date.now(), up };
  }

  /**
   * Whether the database answers a ping within 1 s. One ping at a time: a database that holds
   * its answers (a stopped process, a hung server) would otherwise collect one pending command
   * a second from the re-checks, and one more for every page that connects.
   */
  private async ping(): Promise<boolean> {
    if (this.lastPing && Date.now() - this.lastPing.at < PING_REUSE_MS) return this.lastPing.up;
    this.pinging ??= this.sources.database.client
      .db('admin')
      .command({ ping: 1 })
      .then(
        () => true,
        () => false,
      )
      .finally(() => (this.pinging = undefined));
    const up = await Promise.race([
      this.pinging,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1000).unref()),
    ]);
    this.lastPing = { at: Date.now(), up };
    return up;
  }
}
