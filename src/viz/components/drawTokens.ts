/**
 * Draws the loop view's request tokens on a canvas: shape by phase (so colour is not
 * the only signal), numbers when there are few. A canvas keeps 1,000+ moving tokens
 * at frame rate where as many SVG nodes would not.
 * A student's request (classroom mode) takes the student's colour and the start of their
 * nickname as its label, so the projector shows whose request is where.
 * Tokens of one look go into one path and one fill: 10,000 tokens cost a few fills, not 10,000.
 */
import { studentColor } from '../../classroom/colors';
import type { Token } from '../layout/loopLayout';

export const TOKEN_COLORS: Record<Token['phase'], string> = {
  queued: '#4a4a4a',
  running: '#0b4f9c',
  pool: '#6a2c91',
  database: '#a34700',
  responding: '#14592a',
};
export const HOLDING_COLOR = '#b00020';
/** A long-poll parked until the next publish (at the door, holding only a socket). */
export const PARKED_COLOR = '#00695c';

/** Characters of a nickname that fit in a token. */
const CLIENT_LABEL_CHARS = 3;

/** The text inside a token: the start of the student's nickname, or the request's number. */
export function tokenLabel(token: Pick<Token, 'rid' | 'client'>): string {
  if (token.client) return Array.from(token.client.trim()).slice(0, CLIENT_LABEL_CHARS).join('');
  return /(\d+)$/.exec(token.rid)?.[1] ?? '';
}

/** The fill (or ring) colour: holding the loop wins, then the student, then the phase. */
export function tokenColor(token: Pick<Token, 'phase' | 'holdsLoop' | 'client' | 'parked'>): string {
  if (token.holdsLoop) return HOLDING_COLOR;
  if (token.client) return studentColor(token.client);
  return token.parked ? PARKED_COLOR : TOKEN_COLORS[token.phase];
}

function polygon(ctx: CanvasRenderingContext2D, points: Array<[number, number]>) {
  points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py)));
  ctx.closePath();
}

function outline(ctx: CanvasRenderingContext2D, { x, y, shape }: Token, s: number) {
  ctx.beginPath();
  addOutline(ctx, x, y, shape, s);
}

/** Adds one token's outline to the current path (its own sub-path). */
function addOutline(ctx: CanvasRenderingContext2D, x: number, y: number, shape: Token['shape'], s: number) {
  if (shape === 'circle' || shape === 'ring') ctx.moveTo(x + s * (shape === 'ring' ? 0.85 : 1), y);
  if (shape === 'square') ctx.rect(x - s * 0.85, y - s * 0.85, s * 1.7, s * 1.7);
  else if (shape === 'diamond')
    polygon(ctx, [
      [x, y - s],
      [x + s, y],
      [x, y + s],
      [x - s, y],
    ]);
  else if (shape === 'triangle')
    polygon(ctx, [
      [x - s, y + s * 0.8],
      [x + s, y + s * 0.8],
      [x, y - s],
    ]);
  else ctx.arc(x, y, s * (shape === 'ring' ? 0.85 : 1), 0, Math.PI * 2);
}

/** Plain tokens (no label, not holding the loop) of one look share a path: one fill for all. */
function drawBatches(ctx: CanvasRenderingContext2D, tokens: readonly Token[], size: number, dot: number) {
  const batches = new Map<string, Token[]>();
  for (const token of tokens) {
    const key = `${token.dot ? 'dot' : token.shape}|${tokenColor(token)}`;
    let batch = batches.get(key);
    if (!batch) batches.set(key, (batch = []));
    batch.push(token);
  }
  for (const [key, batch] of batches) {
    const [shape, color] = key.split('|') as [string, string];
    ctx.beginPath();
    if (shape === 'dot') {
      // A crowded door: small squares, filled (a parked long-poll) or hollow (not yet taken in).
      for (const t of batch) ctx.rect(t.x - dot, t.y - dot, dot * 2, dot * 2);
      if (batch[0]!.parked || dot < 1.5) {
        ctx.fillStyle = color;
        ctx.fill();
      } else {
        ctx.strokeStyle = color;
        ctx.lineWidth = 1;
        ctx.stroke();
      }
      continue;
    }
    for (const t of batch) addOutline(ctx, t.x, t.y, t.shape, size);
    paint(ctx, batch[0]!.shape, color);
  }
}

/** Fills the current path as a token of that shape: a ring is white inside a thick coloured edge. */
function paint(ctx: CanvasRenderingContext2D, shape: Token['shape'], color: string) {
  if (shape === 'ring') {
    ctx.fillStyle = '#fff';
    ctx.fill();
    ctx.strokeStyle = color;
    ctx.lineWidth = 3;
    ctx.stroke();
  } else {
    ctx.fillStyle = color;
    ctx.fill();
  }
}

export function drawTokens(
  ctx: CanvasRenderingContext2D,
  tokens: readonly Token[],
  size: number,
  labels: boolean,
  scale: number,
  dot = size / 2,
) {
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width / scale, ctx.canvas.height / scale);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const font = (label: string) => `800 ${Math.round(size * (label.length > 2 ? 0.8 : 1.05))}px system-ui, sans-serif`;
  const single = (token: Token) => token.holdsLoop || (!token.dot && (labels || token.client !== undefined));
  drawBatches(
    ctx,
    tokens.filter((t) => !single(t)),
    size,
    dot,
  );
  for (const token of tokens) {
    if (!single(token)) continue;
    const color = tokenColor(token);
    outline(ctx, token, size);
    paint(ctx, token.shape, color);
    if (token.holdsLoop && token.shape !== 'ring') {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    // Students' tokens are always labelled: the label says whose it is, the colour only repeats it.
    if (labels || token.client) {
      const label = tokenLabel(token);
      ctx.font = font(label);
      ctx.fillStyle = token.shape === 'ring' ? '#111' : '#fff';
      ctx.fillText(label, token.x, token.y + 1);
    }
  }
}
