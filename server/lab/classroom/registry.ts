/**
 * Who is in the room. A student joins with a nickname and gets a random key (kept in an
 * HttpOnly cookie); the key, never the nickname, identifies them afterwards, so nobody can
 * send requests under someone else's name. Bounded: at most `maxStudents`, each with a
 * token bucket and a cap on requests in flight, and a fixed-size record of recent results.
 */
import { randomBytes } from 'node:crypto';
import { nicknameKey } from './nickname';
import { TokenBucket } from './tokenBucket';
import type { StudentResult, StudentView } from '../../../common/api';

export interface ClassroomLimits {
  maxStudents: number;
  ratePerSec: number;
  burst: number;
  maxInFlightPerStudent: number;
  /** When the room is full, a student idle this long gives up their seat to a newcomer. */
  idleEvictMs: number;
}

export const DEFAULT_LIMITS: ClassroomLimits = {
  maxStudents: 500,
  ratePerSec: 5,
  burst: 20,
  maxInFlightPerStudent: 10,
  idleEvictMs: 15 * 60_000,
};

/** How many recent latencies each student keeps (for their own page and the board). */
export const RECENT_RESULTS = 20;

export interface Student {
  id: string;
  key: string;
  nickname: string;
  joinedAt: number;
  lastSeen: number;
  bucket: TokenBucket;
  inFlight: number;
  sent: number;
  answered: number;
  limited: number;
  maxLatencyMs: number;
  recent: StudentResult[];
}

export type JoinResult = { ok: true; student: Student } | { ok: false; status: 409 | 503; message: string };

export class StudentRegistry {
  private readonly byKey = new Map<string, Student>();
  private readonly byNickname = new Map<string, Student>();
  private nextId = 1;

  constructor(
    readonly limits: ClassroomLimits = DEFAULT_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Joins (or renames, when `key` is a current student's). `nickname` must already be valid. */
  join(nickname: string, key?: string): JoinResult {
    const current = key ? this.byKey.get(key) : undefined;
    const taken = this.byNickname.get(nicknameKey(nickname));
    if (taken && taken !== current) return { ok: false, status: 409, message: `the nickname "${nickname}" is taken: pick another` };
    if (current) {
      this.byNickname.delete(nicknameKey(current.nickname));
      current.nickname = nickname;
      this.byNickname.set(nicknameKey(nickname), current);
      current.lastSeen = this.clock();
      return { ok: true, student: current };
    }
    if (this.byKey.size >= this.limits.maxStudents && !this.evictIdle()) {
      return { ok: false, status: 503, message: `the class is full (${this.limits.maxStudents} students): try again later` };
    }
    const t = this.clock();
    const student: Student = {
      id: `s${this.nextId++}`,
      key: randomBytes(24).toString('base64url'),
      nickname,
      joinedAt: t,
      lastSeen: t,
      bucket: new TokenBucket(this.limits.ratePerSec, this.limits.burst, this.clock),
      inFlight: 0,
      sent: 0,
      answered: 0,
      limited: 0,
      maxLatencyMs: 0,
      recent: [],
    };
    this.byKey.set(student.key, student);
    this.byNickname.set(nicknameKey(nickname), student);
    return { ok: true, student };
  }

  find(key: unknown): Student | undefined {
    if (typeof key !== 'string' || key.length > 64) return undefined;
    const student = this.byKey.get(key);
    if (student) student.lastSeen = this.clock();
    return student;
  }

  leave(student: Student): void {
    this.byKey.delete(student.key);
    this.byNickname.delete(nicknameKey(student.nickname));
  }

  record(student: Student, result: StudentResult): void {
    student.answered += 1;
    student.maxLatencyMs = Math.max(student.maxLatencyMs, result.latencyMs);
    student.recent.push(result);
    if (student.recent.length > RECENT_RESULTS) student.recent.shift();
  }

  list(): StudentView[] {
    return [...this.byKey.values()].map(view);
  }

  private evictIdle(): boolean {
    const cutoff = this.clock() - this.limits.idleEvictMs;
    let oldest: Student | undefined;
    for (const s of this.byKey.values()) {
      if (s.inFlight === 0 && s.lastSeen <= cutoff && (!oldest || s.lastSeen < oldest.lastSeen)) oldest = s;
    }
    if (oldest) this.leave(oldest);
    return oldest !== undefined;
  }
}

export function view(student: Student): StudentView {
  const { id, nickname, sent, answered, limited, inFlight, maxLatencyMs, recent } = student;
  return { id, nickname, sent, answered, limited, inFlight, maxLatencyMs, recent: [...recent] };
}
