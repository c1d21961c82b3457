/**
 * Who is in the room. A student joins with a nickname and gets a random key (kept in an
 * HttpOnly cookie); the key, never the nickname, identifies them afterwards, so nobody can
 * send requests under someone else's name. Bounded: at most `maxStudents`, each with a
 * token bucket and a cap on requests in flight, and a fixed-size record of recent results.
 *
 * Seats are guarded per client address (the socket's, never a forwarded header):
 * - an address takes at most `joinsPerMinute` new seats a minute, so one script cannot
 *   fill the room;
 * - a student who leaves (or is removed, or loses an idle seat) leaves their request bucket
 *   behind, parked under their address; the next seat taken from that address inherits
 *   it, so leaving and joining again does not refill it;
 * - a seat whose cookie never came back (a script that joins and goes away) is freed after
 *   `silentEvictMs`; a real phone's page polls the lab every two seconds, so it is heard
 *   from at once. Seats that were heard from keep the idle rule: given up to a newcomer
 *   only when the room is full and they have been idle `idleEvictMs`.
 * The presenter sees each seat's address and can remove a student; a removed (or
 * evicted) key is remembered, bounded, so that phone is told why rather than "not joined".
 */
import { randomBytes } from 'node:crypto';
import { lookalikeKeys } from './nickname';
import { TokenBucket } from './tokenBucket';
import type { StudentResult, StudentSeat, StudentView } from '../../../common/api';

export interface ClassroomLimits {
  maxStudents: number;
  ratePerSec: number;
  burst: number;
  maxInFlightPerStudent: number;
  /** When the room is full, a student idle this long gives up their seat to a newcomer. */
  idleEvictMs: number;
  /** New seats one client address may take a minute (a burst of as many, then one every 60/N s). */
  joinsPerMinute: number;
  /** A seat whose cookie never came back is freed after this long. */
  silentEvictMs: number;
}

/**
 * Five seats a minute from one address. In a classroom on a LAN each phone has its own
 * address on the presenter's network (the school's NAT sits between that network and the
 * internet, not between the phones and the presenter's laptop), so a student needs one
 * seat, two if they switch browsers, and a few more for mistakes. Where many clients do
 * share one address (a guest Wi-Fi that isolates and NATs clients, every test on
 * 127.0.0.1), the presenter raises it with `--joins-per-minute`.
 */
export const DEFAULT_LIMITS: ClassroomLimits = {
  maxStudents: 500,
  ratePerSec: 5,
  burst: 20,
  maxInFlightPerStudent: 10,
  idleEvictMs: 15 * 60_000,
  joinsPerMinute: 5,
  silentEvictMs: 45_000,
};

/** How many recent latencies each student keeps (for their own page and the board). */
export const RECENT_RESULTS = 20;
/** Per-address records (join buckets, parked request buckets, keys of departed students) kept at most. */
export const ADDRESS_RECORDS_MAX = 10_000;
export const GONE_KEYS_MAX = 1000;

export interface Student {
  id: string;
  key: string;
  nickname: string;
  /** The client address that took the seat. */
  address: string;
  joinedAt: number;
  lastSeen: number;
  /** Whether the seat's cookie came back on any request after the join. */
  heard: boolean;
  bucket: TokenBucket;
  inFlight: number;
  sent: number;
  answered: number;
  limited: number;
  maxLatencyMs: number;
  recent: StudentResult[];
}

export type JoinResult =
  | { ok: true; student: Student }
  | { ok: false; status: 409 | 503; message: string }
  | { ok: false; status: 429; message: string; retryAfterSec: number };

/** Why a seat ended, as the phone that held it is told. */
export const GONE_MESSAGES = {
  removed: 'the presenter removed you from the class: ask them before joining again',
  silent: 'your seat was freed because this browser never used it: join again',
  idle: 'your seat went to another student after a long idle spell: join again',
} as const;

/** The address as one key: an IPv4 client on a dual-stack socket is the same client as on IPv4. */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class StudentRegistry {
  private readonly byKey = new Map<string, Student>();
  /** Every look-alike key of every student (see nickname.ts): "bоb" finds "bob". */
  private readonly byLook = new Map<string, Student>();
  private readonly joinBuckets = new Map<string, TokenBucket>();
  private readonly parked = new Map<string, TokenBucket>();
  private readonly gone = new Map<string, string>();
  private nextId = 1;

  constructor(
    readonly limits: ClassroomLimits = DEFAULT_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    this.freeSilentSeats();
    return this.byKey.size;
  }

  /**
   * Joins (or renames, when `key` is a current student's) from `address`. `nickname`
   * must already be valid. Renaming takes no new seat, so it costs no join.
   */
  join(nickname: string, key?: string, address = 'unknown'): JoinResult {
    this.freeSilentSeats();
    const current = key ? this.byKey.get(key) : undefined;
    const looks = lookalikeKeys(nickname);
    const taken = looks.map((k) => this.byLook.get(k)).find((s) => s !== undefined && s !== current);
    if (taken) {
      const like = taken.nickname === nickname ? '' : ` (it looks like "${taken.nickname}")`;
      return { ok: false, status: 409, message: `the nickname "${nickname}" is taken${like}: pick another` };
    }
    if (current) {
      this.forgetLooks(current);
      current.nickname = nickname;
      for (const k of looks) this.byLook.set(k, current);
      current.lastSeen = this.clock();
      return { ok: true, student: current };
    }
    const joins = this.joinBucket(address);
    const can = joins.check();
    if (!can.ok) {
      const retryAfterSec = Math.max(1, Math.ceil(can.retryAfterMs / 1000));
      return {
        ok: false,
        status: 429,
        retryAfterSec,
        message: `too many joins from your address: at most ${this.limits.joinsPerMinute} a minute. Try again in ${retryAfterSec} s`,
      };
    }
    if (this.byKey.size >= this.limits.maxStudents && !this.evictIdle()) {
      return {
        ok: false,
        status: 503,
        message: `the class is full (${this.limits.maxStudents} students): try again later`,
      };
    }
    joins.take();
    const bucket = this.parked.get(address) ?? new TokenBucket(this.limits.ratePerSec, this.limits.burst, this.clock);
    this.parked.delete(address);
    const t = this.clock();
    const student: Student = {
      id: `s${this.nextId++}`,
      key: randomBytes(24).toString('base64url'),
      nickname,
      address,
      joinedAt: t,
      lastSeen: t,
      heard: false,
      bucket,
      inFlight: 0,
      sent: 0,
      answered: 0,
      limited: 0,
      maxLatencyMs: 0,
      recent: [],
    };
    this.byKey.set(student.key, student);
    for (const k of looks) this.byLook.set(k, student);
    return { ok: true, student };
  }

  find(key: unknown): Student | undefined {
    if (typeof key !== 'string' || key.length > 64) return undefined;
    const student = this.byKey.get(key);
    if (student) {
      student.lastSeen = this.clock();
      student.heard = true;
    }
    return student;
  }

  /** Why the seat of this key ended, if it was removed or evicted (not if the student left). */
  goneReason(key: unknown): string | undefined {
    if (typeof key !== 'string' || key.length > 64) return undefined;
    return this.gone.get(key);
  }

  leave(student: Student): void {
    if (this.byKey.get(student.key) !== student) return;
    this.byKey.delete(student.key);
    this.forgetLooks(student);
    this.park(student);
  }

  /** The presenter removes a student by id; undefined if there is no such student. */
  remove(id: string): Student | undefined {
    const student = [...this.byKey.values()].find((s) => s.id === id);
    if (student) this.end(student, 'removed');
    return student;
  }

  record(student: Student, result: StudentResult): void {
    student.answered += 1;
    student.maxLatencyMs = Math.max(student.maxLatencyMs, result.latencyMs);
    student.recent.push(result);
    if (student.recent.length > RECENT_RESULTS) student.recent.shift();
  }

  list(): StudentView[] {
    this.freeSilentSeats();
    return [...this.byKey.values()].map(view);
  }

  /** The presenter's list: each seat with its address and when it was taken. */
  seats(): StudentSeat[] {
    this.freeSilentSeats();
    return [...this.byKey.values()].map((s) => ({
      ...view(s),
      address: s.address,
      joinedAt: s.joinedAt,
      heard: s.heard,
    }));
  }

  private end(student: Student, why: keyof typeof GONE_MESSAGES): void {
    this.leave(student);
    this.gone.set(student.key, GONE_MESSAGES[why]);
    if (this.gone.size > GONE_KEYS_MAX) this.gone.delete(this.gone.keys().next().value!);
  }

  private forgetLooks(student: Student): void {
    for (const k of lookalikeKeys(student.nickname)) if (this.byLook.get(k) === student) this.byLook.delete(k);
  }

  /** Keeps a drained bucket for the address's next seat; a full one is as good as new. */
  private park(student: Student): void {
    if (student.bucket.full) return;
    const already = this.parked.get(student.address);
    if (already && already.available() <= student.bucket.available()) return;
    this.parked.delete(student.address);
    this.parked.set(student.address, student.bucket);
    trim(this.parked);
  }

  private joinBucket(address: string): TokenBucket {
    let bucket = this.joinBuckets.get(address);
    if (!bucket) {
      trim(this.joinBuckets);
      bucket = new TokenBucket(this.limits.joinsPerMinute / 60, this.limits.joinsPerMinute, this.clock);
      this.joinBuckets.set(address, bucket);
    }
    return bucket;
  }

  private freeSilentSeats(): void {
    const cutoff = this.clock() - this.limits.silentEvictMs;
    for (const s of this.byKey.values()) {
      if (!s.heard && s.inFlight === 0 && s.joinedAt <= cutoff) this.end(s, 'silent');
    }
  }

  private evictIdle(): boolean {
    const cutoff = this.clock() - this.limits.idleEvictMs;
    let oldest: Student | undefined;
    for (const s of this.byKey.values()) {
      if (s.inFlight === 0 && s.lastSeen <= cutoff && (!oldest || s.lastSeen < oldest.lastSeen)) oldest = s;
    }
    if (oldest) this.end(oldest, 'idle');
    return oldest !== undefined;
  }
}

/**
 * Keeps a per-address map within ADDRESS_RECORDS_MAX: first drops full buckets (nothing
 * is lost: a new one is the same), then the oldest.
 */
function trim(map: Map<string, TokenBucket>): void {
  if (map.size < ADDRESS_RECORDS_MAX) return;
  for (const [address, bucket] of map) if (bucket.full) map.delete(address);
  while (map.size >= ADDRESS_RECORDS_MAX) map.delete(map.keys().next().value!);
}

export function view(student: Student): StudentView {
  const { id, nickname, sent, answered, limited, inFlight, maxLatencyMs, recent } = student;
  return { id, nickname, sent, answered, limited, inFlight, maxLatencyMs, recent: [...recent] };
}
