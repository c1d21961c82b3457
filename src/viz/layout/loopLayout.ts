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
}

export interface LoopLayout {
  tokens: Token[];
  /** Requests not drawn individually (the queue is long). */
  hiddenQueued: number;
  holder?: RequestAt;
}

/** Maximum queued tokens drawn in the door column before "+N more". */
export function doorCapacity(g: LoopGeometry): number {
  const perColumn = Math.max(1, Math.floor(g.door.height / (g.token * 2.2)));
  const columns = Math.max(1, Math.floor((g.door.x - g.token) / (g.token * 2.2)));
  return perColumn * columns;
}

export function layoutTokens(snap: Snapshot, g: LoopGeometry, reducedMotion = false): LoopLayout {
  const tokens: Token[] = [];
  const step = g.token * 2.2;
  const perColumn = Math.max(1, Math.floor(g.door.height / step));
  const capacity = doorCapacity(g);
  snap.queued.slice(0, capacity).forEach((r, i) => {
    const column = Math.floor(i / perColumn);
    const row = i % perColumn;
    tokens.push(token(r, g.door.x - column * step, g.door.y - g.door.height / 2 + step / 2 + row * step));
  });
  const { cx, cy, r } = g.thread;
  snap.onThread.forEach((req, i) => {
    // Several on one thread only happens with several workers; fan them out.
    const angle = (i / Math.max(1, snap.onThread.length)) * Math.PI * 2;
    const spread = snap.onThread.length > 1 ? r * 0.45 : 0;
    tokens.push(token(req, cx + Math.cos(angle) * spread, cy + Math.sin(angle) * spread));
  });
  snap.pool.forEach((req, i) => {
    const perRow = Math.max(1, Math.floor(g.pool.width / step));
    tokens.push(token(req, g.pool.x + step / 2 + (i % perRow) * step, g.pool.y + step / 2 + Math.floor(i / perRow) * step * 0.5));
  });
  const { x1, y1, x2, y2 } = g.wire;
  snap.database.forEach((req, i) => {
    // Out and back: half the round trip each way (the proxy delays each direction by half).
    const p = reducedMotion ? 0.5 : req.progress;
    const along = p < 0.5 ? p * 2 : 2 - p * 2;
    const lane = (i % 7) - 3;
    const offset = lane * g.token * 0.9 + (p < 0.5 ? -g.token * 0.4 : g.token * 0.4);
    tokens.push(token(req, x1 + (x2 - x1) * along, y1 + (y2 - y1) * along + offset));
  });
  snap.responding.forEach((req, i) => {
    const p = reducedMotion ? 1 : req.progress;
    tokens.push(token(req, cx + (g.done.x - cx) * p, cy + r + (g.done.y - cy - r) * p - (i % 3) * g.token));
  });
  return { tokens, hiddenQueued: Math.max(0, snap.queued.length - capacity), holder: snap.onThread.find((x) => x.holdsLoop) };
}

function token(req: RequestAt, x: number, y: number): Token {
  const drawn: Token = { rid: req.life.rid, phase: req.phase, shape: PHASE_SHAPES[req.phase], x, y, holdsLoop: req.holdsLoop };
  if (req.life.client) drawn.client = req.life.client;
  return drawn;
}
