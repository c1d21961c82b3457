/**
 * Where everything sits in the loop view: the door (a queue of requests), the one
 * thread, the pool, the database, and a token per request in flight. Pure: the
 * geometry depends only on size (memoise on it); tokens depend on the snapshot.
 */
import type { Phase } from '../../trace/lifecycle';
import type { RequestAt, Snapshot } from '../../trace/snapshot';

export interface LoopGeometry {
  width: number;
  height: number;
  /** A phone: short labels. */
  compact: boolean;
  door: { x: number; y: number; height: number };
  thread: { cx: number; cy: number; r: number };
  pool: { x: number; y: number; width: number; height: number };
  database: { x: number; y: number; width: number; height: number };
  /** Tokens travel along this line to and from the database. */
  wire: { x1: number; y1: number; x2: number; y2: number };
  done: { x: number; y: number };
  token: number;
}

export function loopGeometry(width: number, height: number): LoopGeometry {
  const token = Math.max(6, Math.min(14, height / 30));
  const cy = height * 0.47;
  // Room below the thread for the door's label and the caption (52 px under it): a short
  // stage (a lesson's) gets a smaller thread rather than a caption outside the picture.
  const r = Math.max(20, Math.min(width * 0.14, height * 0.3, height - cy - 60));
  const cx = width * 0.42;
  const dbWidth = width * 0.14;
  return {
    width,
    height,
    compact: width < 600,
    door: { x: cx - r - Math.max(28, width * 0.06), y: cy, height: r * 2 },
    thread: { cx, cy, r },
    pool: { x: cx + r + width * 0.06, y: cy + r * 0.25, width: width * 0.2, height: r * 0.6 },
    database: { x: width - dbWidth - width * 0.03, y: cy - r * 0.8, width: dbWidth, height: r * 1.6 },
    wire: { x1: cx + r, y1: cy - r * 0.2, x2: width - dbWidth - width * 0.03, y2: cy - r * 0.2 },
    done: { x: width * 0.97, y: height * 0.93 },
    token,
  };
}

export type TokenShape = 'circle' | 'ring' | 'square' | 'diamond' | 'triangle';

/** Shape per phase so colour is never the only signal. */
export const PHASE_SHAPES: Record<Phase, TokenShape> = {
  queued: 'ring',
  running: 'circle',
  pool: 'square',
  database: 'diamond',
  responding: 'triangle',
};

export interface Token {
  rid: string;
  phase: Phase;
  shape: TokenShape;
  x: number;
  y: number;
  holdsLoop: boolean;
  /** The student who sent it (classroom mode's x-lab-client tag), if any. */
  client?: string;
  /** A crowded door draws its waiters as small dots (the door's `dot` size), not full tokens. */
  dot?: boolean;
  /** A long-poll parked in its handler until the next publish (not a request still queued). */
  parked?: boolean;
}

/** A crowded door: dots one by one up to DOOR_DOT_LIMIT, a density band for the rest. */
export interface DoorCrowd {
  /** Everyone at the door: still queued plus parked long-polls. */
  total: number;
  parked: number;
  /** Drawn as dots. */
  drawn: number;
  /** Half the side of a dot, px. */
  dot: number;
  /** Dots per column and the distance between two, px. */
  rows: number;
  pitch: number;
  /** Where the dots are: the band sits to their left. */
  area: { x: number; y: number; width: number; height: number };
  /** The rest, as a shaded band whose shade grows with how many it stands for. */
  band?: { x: number; y: number; width: number; height: number; count: number; density: number };
}

/** A snapshot whose parked long-polls wait at the door: the first `parked` of `queued`. */
export type ParkedSnapshot = Snapshot & { parked: number };

export interface LoopLayout {
  tokens: Token[];
  /** Requests not drawn individually (the queue is long). */
  hiddenQueued: number;
  holder?: RequestAt;
  /** Set when the door holds more than its full-size tokens fit. */
  crowd?: DoorCrowd;
}

/** Waiters at a crowded door drawn one by one; beyond, the density band stands for them with its exact count. */
export const DOOR_DOT_LIMIT = 2500;
/** Tokens in flight (thread, pool, database, answers) drawn one by one; beyond, only counted. */
export const FLIGHT_TOKEN_LIMIT = 3000;

/** The door's crowd: dots from the door outwards, column by column, oldest nearest the door. */
export function doorCrowd(g: LoopGeometry, total: number, parked: number): DoorCrowd {
  const drawn = Math.min(total, DOOR_DOT_LIMIT);
  const x0 = Math.max(2, g.token * 0.3);
  const x1 = g.door.x + g.token;
  const y0 = g.door.y - g.door.height / 2;
  const height = g.door.height;
  const bandWidth = total > drawn ? Math.max(20, (x1 - x0) * 0.22) : 0;
  const left = x0 + (bandWidth > 0 ? bandWidth + 6 : 0);
  const width = Math.max(10, x1 - left);
  let pitch = Math.sqrt((width * height) / Math.max(1, drawn));
  const rows = Math.max(1, Math.floor(height / pitch));
  const columns = Math.max(1, Math.ceil(drawn / rows));
  pitch = Math.min(height / rows, width / columns);
  const crowd: DoorCrowd = {
    total,
    parked,
    drawn,
    dot: Math.max(0.75, pitch * 0.36),
    rows,
    pitch,
    area: { x: left, y: y0, width, height },
  };
  if (bandWidth > 0) {
    const count = total - drawn;
    // Shade: how many the band stands for, against as many dots as its area would hold.
    const capacity = (bandWidth * height) / (pitch * pitch);
    crowd.band = {
      x: x0,
      y: y0,
      width: bandWidth,
      height,
      count,
      density: Math.min(1, count / Math.max(1, capacity * 4)),
    };
  }
  return crowd;
}

/** Maximum queued tokens drawn in the door column before "+N more". */
export function doorCapacity(g: LoopGeometry): number {
  const perColumn = Math.max(1, Math.floor(g.door.height / (g.token * 2.2)));
  const columns = Math.max(1, Math.floor((g.door.x - g.token) / (g.token * 2.2)));
  return perColumn * columns;
}

export function layoutTokens(snap: Snapshot, g: LoopGeometry, reducedMotion = false, parked = 0): LoopLayout {
  const tokens: Token[] = [];
  const step = g.token * 2.2;
  const perColumn = Math.max(1, Math.floor(g.door.height / step));
  const capacity = doorCapacity(g);
  let crowd: DoorCrowd | undefined;
  if (snap.queued.length <= capacity) {
    snap.queued.forEach((r, i) => {
      const column = Math.floor(i / perColumn);
      const row = i % perColumn;
      tokens.push(token(r, g.door.x - column * step, g.door.y - g.door.height / 2 + step / 2 + row * step, true));
    });
  } else {
    crowd = doorCrowd(g, snap.queued.length, parked);
    const { area, rows, pitch } = crowd;
    for (let i = 0; i < crowd.drawn; i += 1) {
      const column = Math.floor(i / rows);
      const drawn = token(
        snap.queued[i]!,
        area.x + area.width - pitch / 2 - column * pitch,
        area.y + pitch / 2 + (i % rows) * pitch,
        true,
      );
      drawn.dot = true;
      tokens.push(drawn);
    }
  }
  const { cx, cy, r } = g.thread;
  const inFlight = snap.onThread.length + snap.pool.length + snap.database.length + snap.responding.length;
  // A fan-out of thousands: every k-th drawn, so the picture keeps its shape at frame rate.
  const every = Math.max(1, Math.ceil(inFlight / FLIGHT_TOKEN_LIMIT));
  const keep = (i: number) => i % every === 0;
  snap.onThread.forEach((req, i) => {
    if (!keep(i) && !req.holdsLoop) return;
    // Several on one thread only happens with several workers; fan them out.
    const angle = (i / Math.max(1, snap.onThread.length)) * Math.PI * 2;
    const spread = snap.onThread.length > 1 ? r * 0.45 : 0;
    tokens.push(token(req, cx + Math.cos(angle) * spread, cy + Math.sin(angle) * spread));
  });
  snap.pool.forEach((req, i) => {
    if (!keep(i)) return;
    const perRow = Math.max(1, Math.floor(g.pool.width / step));
    tokens.push(
      token(req, g.pool.x + step / 2 + (i % perRow) * step, g.pool.y + step / 2 + Math.floor(i / perRow) * step * 0.5),
    );
  });
  const { x1, y1, x2, y2 } = g.wire;
  snap.database.forEach((req, i) => {
    if (!keep(i)) return;
    // Out and back: half the round trip each way (the proxy delays each direction by half).
    const p = reducedMotion ? 0.5 : req.progress;
    const along = p < 0.5 ? p * 2 : 2 - p * 2;
    const lane = (i % 7) - 3;
    const offset = lane * g.token * 0.9 + (p < 0.5 ? -g.token * 0.4 : g.token * 0.4);
    tokens.push(token(req, x1 + (x2 - x1) * along, y1 + (y2 - y1) * along + offset));
  });
  snap.responding.forEach((req, i) => {
    if (!keep(i)) return;
    const p = reducedMotion ? 1 : req.progress;
    tokens.push(token(req, cx + (g.done.x - cx) * p, cy + r + (g.done.y - cy - r) * p - (i % 3) * g.token));
  });
  const layout: LoopLayout = {
    tokens,
    hiddenQueued: crowd ? crowd.total - crowd.drawn : 0,
    holder: snap.onThread.find((x) => x.holdsLoop),
  };
  if (crowd) layout.crowd = crowd;
  return layout;
}

/** At the door (`door`): a parked long-poll is drawn as waiting there, marked parked. */
function token(req: RequestAt, x: number, y: number, door = false): Token {
  const phase = door ? 'queued' : req.phase;
  const drawn: Token = { rid: req.life.rid, phase, shape: PHASE_SHAPES[phase], x, y, holdsLoop: req.holdsLoop };
  if (req.life.client) drawn.client = req.life.client;
  if (door && isParked(req)) drawn.parked = true;
  return drawn;
}

/** A non-blocking long-poll parked in its handler (at its 'query' step) until a publish wakes it. */
export function isParked(req: RequestAt): boolean {
  return (
    req.life.route === 'longPoll' &&
    req.life.mode === 'nonblocking' &&
    !req.holdsLoop &&
    req.phase === 'running' &&
    req.step?.step === 'query'
  );
}

/**
 * The door, for long-poll runs: parked long-polls hold a socket and a small record, not
 * the thread, so they wait at the door with the requests not yet taken in (after them, in
 * arrival order), counted in `parked`.
 */
export function parkLongPolls(snap: Snapshot): ParkedSnapshot {
  const waiting: RequestAt[] = [];
  const onThread: RequestAt[] = [];
  for (const req of snap.onThread) (isParked(req) ? waiting : onThread).push(req);
  if (waiting.length === 0) return { ...snap, parked: 0 };
  // The loop's requests are in arrival order already: the door keeps it.
  return { ...snap, onThread, queued: waiting.concat(snap.queued), parked: waiting.length };
}
